'use server';
import { refresh } from 'next/cache';
import { redirect } from 'next/navigation';
import { graphql } from '@/graphql/generated';
import type { CurrencyCode } from '@/graphql/generated/graphql';
import { requireAdmin } from '@/lib/auth';
import { localInputToIso } from '@/lib/datetime';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';
import { CURRENCIES, FRACTION_DIGITS, parseMoneyInput } from '@/lib/money';

const CreateDiscountCodeMutation = graphql(`
  mutation AdminCreateDiscountCode($input: CreateDiscountCodeInput!) {
    createDiscountCode(input: $input) {
      id
      code
    }
  }
`);

const UpdateDiscountCodeMutation = graphql(`
  mutation AdminUpdateDiscountCode($input: UpdateDiscountCodeInput!) {
    updateDiscountCode(input: $input) {
      id
      version
    }
  }
`);

const DeactivateDiscountCodeMutation = graphql(`
  mutation AdminDeactivateDiscountCode($input: DeactivateDiscountCodeInput!) {
    deactivateDiscountCode(input: $input) {
      id
      active
    }
  }
`);

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readLimit(form: FormData, name: string, fieldErrors: Record<string, string>): number | null {
  const raw = text(form, name).trim();
  if (!raw) return null;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1) {
    fieldErrors[name] = 'A whole number, 1 or more (empty: no limit).';
    return null;
  }
  return Number(raw);
}

function readSchedule(form: FormData, values: Record<string, string>, fieldErrors: Record<string, string>) {
  const startsText = text(form, 'startsAt');
  const endsText = text(form, 'endsAt');
  Object.assign(values, { startsAt: startsText, endsAt: endsText });
  const startsAt = localInputToIso(startsText);
  const endsAt = localInputToIso(endsText);
  if (startsAt === undefined) fieldErrors.startsAt = 'A date and time, e.g. 2026-12-24 18:00.';
  if (endsAt === undefined) fieldErrors.endsAt = 'A date and time, e.g. 2026-12-31 23:59.';
  if (startsAt && endsAt && endsAt <= startsAt) fieldErrors.endsAt = 'The end comes after the start.';
  return { startsAt: startsAt ?? null, endsAt: endsAt ?? null };
}

/** A new code: PERCENT (1–100) or FIXED (an amount per currency, minor units), scheduled and limited as given. */
export async function createDiscountCode(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const code = text(form, 'code').trim().toUpperCase();
  const kind = text(form, 'kind') === 'FIXED' ? 'FIXED' : 'PERCENT';
  const values: Record<string, string> = { code, kind, percentOff: text(form, 'percentOff'), usageLimit: text(form, 'usageLimit'), perCustomerLimit: text(form, 'perCustomerLimit') };
  const fieldErrors: Record<string, string> = {};
  if (!/^[A-Z0-9_-]{3,32}$/.test(code)) fieldErrors.code = '3 to 32 letters, digits, - or _.';
  let percentOff: number | undefined;
  const amounts: { amountMinor: number; currency: CurrencyCode }[] = [];
  if (kind === 'PERCENT') {
    const raw = text(form, 'percentOff').trim();
    if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) fieldErrors.percentOff = 'A whole percentage from 1 to 100.';
    else percentOff = Number(raw);
  } else {
    for (const currency of CURRENCIES) {
      const key = `amount.${currency}`;
      const raw = text(form, key).trim();
      values[key] = raw;
      if (!raw) continue;
      const amountMinor = parseMoneyInput(raw, FRACTION_DIGITS[currency]);
      if (amountMinor === null || amountMinor <= 0) fieldErrors[key] = 'An amount above 0, like 5.00.';
      else amounts.push({ amountMinor, currency });
    }
    if (amounts.length === 0 && !fieldErrors[`amount.${CURRENCIES[0]}`]) fieldErrors[`amount.${CURRENCIES[0]}`] = 'Give the amount off in at least one currency.';
  }
  const { startsAt, endsAt } = readSchedule(form, values, fieldErrors);
  const usageLimit = readLimit(form, 'usageLimit', fieldErrors);
  const perCustomerLimit = readLimit(form, 'perCustomerLimit', fieldErrors);
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  let id: string;
  try {
    const data = await executeGraphQL(CreateDiscountCodeMutation, {
      variables: { input: { code, kind, percentOff, amounts: kind === 'FIXED' ? amounts : undefined, startsAt, endsAt, usageLimit, perCustomerLimit } },
      accessToken: token,
    });
    id = data.createDiscountCode.id;
  } catch (error) {
    const aliases: Record<string, string> = { amounts: `amount.${CURRENCIES[0]}` };
    amounts.forEach((amount, index) => {
      aliases[`amounts[${index}]`] = `amount.${amount.currency}`;
    });
    return formError(error, {
      values,
      aliases,
      fieldNames: ['code', 'percentOff', 'startsAt', 'endsAt', 'usageLimit', 'perCustomerLimit'],
      codeFields: { DISCOUNT_CODE_TAKEN: 'code' },
      messages: { DISCOUNT_CODE_TAKEN: 'This code exists already (codes ignore case).' },
    });
  }
  redirect(`/discount-codes/${id}?created=1`);
}

/** Schedule and limits of an existing code, against the version shown. */
export async function updateDiscountCode(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const id = text(form, 'id');
  if (!ID.test(id)) return { status: 'error', message: 'This form does not name a code. Reload the page.' };
  const values: Record<string, string> = { usageLimit: text(form, 'usageLimit'), perCustomerLimit: text(form, 'perCustomerLimit') };
  const fieldErrors: Record<string, string> = {};
  const { startsAt, endsAt } = readSchedule(form, values, fieldErrors);
  const usageLimit = readLimit(form, 'usageLimit', fieldErrors);
  const perCustomerLimit = readLimit(form, 'perCustomerLimit', fieldErrors);
  const version = text(form, 'expectedVersion');
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    await executeGraphQL(UpdateDiscountCodeMutation, {
      variables: { input: { id, startsAt, endsAt, usageLimit, perCustomerLimit, expectedVersion: /^\d+$/.test(version) ? Number(version) : undefined } },
      accessToken: token,
    });
  } catch (error) {
    return formError(error, { values, fieldNames: ['startsAt', 'endsAt', 'usageLimit', 'perCustomerLimit'] });
  }
  refresh();
  return { status: 'success', message: 'Saved.', values };
}

export async function deactivateDiscountCode(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const id = text(form, 'id');
  const version = text(form, 'expectedVersion');
  if (!ID.test(id)) return { status: 'error', message: 'This form does not name a code. Reload the page.' };
  try {
    await executeGraphQL(DeactivateDiscountCodeMutation, {
      variables: { input: { id, expectedVersion: /^\d+$/.test(version) ? Number(version) : undefined } },
      accessToken: token,
    });
  } catch (error) {
    return formError(error);
  }
  refresh();
  return { status: 'success', message: 'Deactivated: carts can no longer apply it.' };
}
