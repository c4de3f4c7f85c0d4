'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { formatMoney, isCurrency, parseMoneyInput } from '@/lib/money';

const FulfillOrderMutation = graphql(`
  mutation AdminFulfillOrder($input: FulfillOrderInput!) {
    fulfillOrder(input: $input) {
      id
      status
    }
  }
`);

const ShipOrderMutation = graphql(`
  mutation AdminShipOrder($input: ShipOrderInput!) {
    shipOrder(input: $input) {
      id
      status
      trackingNumber
    }
  }
`);

const MarkOrderDeliveredMutation = graphql(`
  mutation AdminMarkOrderDelivered($input: MarkOrderDeliveredInput!) {
    markOrderDelivered(input: $input) {
      id
      status
    }
  }
`);

const CancelOrderMutation = graphql(`
  mutation AdminCancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      id
      status
    }
  }
`);

const RefundOrderMutation = graphql(`
  mutation AdminRefundOrder($input: RefundOrderInput!) {
    refundOrder(input: $input) {
      id
      status
      refundedAmount {
        amountMinor
        currency
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function orderIdOf(form: FormData): string | null {
  const id = text(form, 'orderId');
  return UUID.test(id) ? id : null;
}

const BAD_ORDER: FormState = { status: 'error', message: 'This form does not name an order. Reload the page.' };

export async function fulfillOrder(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const orderId = orderIdOf(form);
  if (!orderId) return BAD_ORDER;
  try {
    await executeGraphQL(FulfillOrderMutation, { variables: { input: { orderId } }, accessToken: token });
  } catch (error) {
    return formError(error);
  }
  refresh();
  return { status: 'success', message: 'Marked as fulfilled (packed).' };
}

export async function shipOrder(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const orderId = orderIdOf(form);
  if (!orderId) return BAD_ORDER;
  const trackingNumber = text(form, 'trackingNumber').trim();
  const values = { trackingNumber };
  if (!trackingNumber) return { status: 'error', fieldErrors: { trackingNumber: 'Enter the carrier’s tracking number.' }, values };
  if (trackingNumber.length > 100) return { status: 'error', fieldErrors: { trackingNumber: 'At most 100 characters.' }, values };
  try {
    await executeGraphQL(ShipOrderMutation, { variables: { input: { orderId, trackingNumber } }, accessToken: token });
  } catch (error) {
    return formError(error, { values, fieldNames: ['trackingNumber'] });
  }
  refresh();
  return { status: 'success', message: `Shipped with tracking number ${trackingNumber}.` };
}

export async function markOrderDelivered(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const orderId = orderIdOf(form);
  if (!orderId) return BAD_ORDER;
  try {
    await executeGraphQL(MarkOrderDeliveredMutation, { variables: { input: { orderId } }, accessToken: token });
  } catch (error) {
    return formError(error);
  }
  refresh();
  return { status: 'success', message: 'Marked as delivered.' };
}

export async function cancelOrder(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const orderId = orderIdOf(form);
  if (!orderId) return BAD_ORDER;
  const reason = text(form, 'reason').trim();
  const values = { reason };
  if (!reason) return { status: 'error', fieldErrors: { reason: 'Say why the order is cancelled.' }, values };
  try {
    await executeGraphQL(CancelOrderMutation, { variables: { input: { orderId, reason } }, accessToken: token });
  } catch (error) {
    return formError(error, { values, fieldNames: ['reason'] });
  }
  refresh();
  return { status: 'success', message: 'Cancelled. Stock is released and the payment voided or refunded.' };
}

/**
 * A refund: everything not yet refunded, or an amount (typed as a decimal,
 * read into minor units without float math), or some lines' units
 * (`line:<id>` quantities), with the units restocked or not.
 */
export async function refundOrder(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const orderId = orderIdOf(form);
  if (!orderId) return BAD_ORDER;
  const reason = text(form, 'reason').trim();
  const amountText = text(form, 'amount').trim();
  const restock = form.get('restock') === 'on';
  const values: Record<string, string> = { reason, amount: amountText, restock: restock ? 'on' : '' };
  const fieldErrors: Record<string, string> = {};
  if (!reason) fieldErrors.reason = 'Say why the order is refunded.';
  let amountMinor: number | undefined;
  if (amountText) {
    const parsed = parseMoneyInput(amountText);
    if (parsed === null || parsed <= 0) fieldErrors.amount = 'Enter an amount like 12.50, or leave it empty to refund everything.';
    else amountMinor = parsed;
  }
  const lines: { lineId: string; quantity: number }[] = [];
  for (const [name, value] of form.entries()) {
    if (!name.startsWith('line:') || typeof value !== 'string' || value.trim() === '') continue;
    values[name] = value;
    const quantity = Number(value);
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > 999) {
      fieldErrors[name] = 'A whole number of units.';
      continue;
    }
    if (quantity > 0) lines.push({ lineId: name.slice('line:'.length), quantity });
  }
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    await executeGraphQL(RefundOrderMutation, {
      variables: { input: { orderId, reason, restock, amountMinor, lines: lines.length > 0 ? lines : undefined } },
      accessToken: token,
    });
  } catch (error) {
    // The graph says it in minor units; say it in the order's money.
    const refundable = text(form, 'refundableMinor');
    const currency = text(form, 'currency');
    if (error instanceof GraphQLRequestError && error.code === 'BAD_USER_INPUT' && error.extensions?.field === 'amountMinor' && /^\d+$/.test(refundable) && isCurrency(currency)) {
      return { status: 'error', fieldErrors: { amount: `At most ${formatMoney({ amountMinor: Number(refundable), currency })} can be refunded now.` }, values, code: error.code };
    }
    return formError(error, {
      values,
      fieldNames: ['reason', 'amount'],
      aliases: { amountMinor: 'amount', lines: 'amount' },
      codeFields: { BAD_USER_INPUT: 'amount' },
    });
  }
  refresh();
  return { status: 'success', message: 'Refund requested. The payment provider confirms it shortly.' };
}
