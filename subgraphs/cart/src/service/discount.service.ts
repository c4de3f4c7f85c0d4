/**
 * Discount codes: which code is valid for a cart, and what it takes off.
 * Codes live in the cart's database (`discount_codes`; WELCOME10 and TAKE5
 * are seeded by a migration, the rest are made by admins, see
 * discount-admin.service.ts). A code is valid when it is active, inside its
 * optional start/end window, below its usage limits (in all, and for the
 * cart's signed-in customer), and usable in the cart's currency (a PERCENT
 * code everywhere, a FIXED code where it has an amount in that currency).
 *
 * A cart stores only the code. Its value is worked out whenever the cart is
 * priced, so a code that expires (or is deactivated, or reaches its limit)
 * while in a cart simply stops taking anything off; applying it again then
 * fails with INVALID_DISCOUNT_CODE and `extensions.reason`.
 *
 * Uses are counted when cart consumes order.placed (checkout.service.ts), so
 * the limits are checked against orders already placed: two checkouts racing
 * for the last use can both get it (the orders subgraph prices from the cart
 * and does not reserve a use).
 */
import { AppError, ErrorCode } from '@commerce/errors';
import type { CartContext } from '../context.js';
import type { Currency } from '../data/cart-document.js';
import type { DiscountCodeRow } from '../data/loaders.js';

export type DiscountRule = { kind: 'PERCENT'; percentOff: number } | { kind: 'FIXED'; amountMinor: number };

/** Why a code cannot be applied: `extensions.reason` of INVALID_DISCOUNT_CODE. */
export type InvalidReason =
  | 'UNKNOWN_CODE'
  | 'INACTIVE'
  | 'NOT_STARTED'
  | 'EXPIRED'
  | 'USAGE_LIMIT_REACHED'
  | 'PER_CUSTOMER_LIMIT_REACHED'
  | 'NOT_VALID_IN_CURRENCY';

export type Evaluation = { rule: DiscountRule; reason?: undefined } | { rule: null; reason: InvalidReason };

export const MAX_CODE_LENGTH = 64;

/** Codes are case-insensitive: stored and compared upper case, without surrounding spaces. */
export const normalizeCode = (code: string): string => code.trim().toUpperCase();

/**
 * What the code takes off in the currency at `now`, or why it takes nothing.
 * `customerUses` is how often the cart's customer already used it (undefined
 * when unknown, e.g. an anonymous cart: the per-customer limit is not checked).
 */
export function evaluate(row: DiscountCodeRow, currency: Currency, now: Date, customerUses?: number): Evaluation {
  if (!row.active) return { rule: null, reason: 'INACTIVE' };
  if (row.startsAt && row.startsAt > now) return { rule: null, reason: 'NOT_STARTED' };
  if (row.expiresAt && row.expiresAt <= now) return { rule: null, reason: 'EXPIRED' };
  if (row.usageLimit !== null && row.timesUsed >= row.usageLimit) return { rule: null, reason: 'USAGE_LIMIT_REACHED' };
  if (row.perCustomerLimit !== null && customerUses !== undefined && customerUses >= row.perCustomerLimit) {
    return { rule: null, reason: 'PER_CUSTOMER_LIMIT_REACHED' };
  }
  if (row.kind === 'PERCENT') {
    const percent = row.percentOff ?? 0;
    return percent >= 1 && percent <= 100 ? { rule: { kind: 'PERCENT', percentOff: percent } } : { rule: null, reason: 'INACTIVE' };
  }
  const amount = row.amounts.find((entry) => entry.currency === currency)?.amountMinor;
  return amount !== undefined && amount > 0 ? { rule: { kind: 'FIXED', amountMinor: amount } } : { rule: null, reason: 'NOT_VALID_IN_CURRENCY' };
}

/** What the code takes off in the currency at `now`; null when it is not valid then and there. */
export function ruleOf(row: DiscountCodeRow, currency: Currency, now: Date, customerUses?: number): DiscountRule | null {
  return evaluate(row, currency, now, customerUses).rule;
}

/** How often the user used the code (only looked up when the code has a per-customer limit). */
async function customerUsesOf(ctx: CartContext, row: DiscountCodeRow, userId: string | null | undefined): Promise<number | undefined> {
  if (row.perCustomerLimit === null || !userId) return undefined;
  return (await ctx.loaders.discountUsesByCustomer.load(`${row.code}|${userId}`)) ?? 0;
}

/** The rule of a cart's code, or null when the code is (no longer) valid for it. */
export async function discountRuleFor(
  ctx: CartContext,
  code: string,
  currency: Currency,
  now = new Date(),
  userId?: string | null,
): Promise<DiscountRule | null> {
  const row = await ctx.loaders.discountByCode.load(normalizeCode(code));
  return row ? ruleOf(row, currency, now, await customerUsesOf(ctx, row, userId)) : null;
}

const REASON_MESSAGES: Record<InvalidReason, string> = {
  UNKNOWN_CODE: 'This discount code is not valid.',
  INACTIVE: 'This discount code is no longer active.',
  NOT_STARTED: 'This discount code is not valid yet.',
  EXPIRED: 'This discount code has expired.',
  USAGE_LIMIT_REACHED: 'This discount code has been used up.',
  PER_CUSTOMER_LIMIT_REACHED: 'You have already used this discount code as often as it allows.',
  NOT_VALID_IN_CURRENCY: "This discount code is not valid in the cart's currency.",
};

export const invalidCode = (reason: InvalidReason): AppError =>
  new AppError(ErrorCode.INVALID_DISCOUNT_CODE, REASON_MESSAGES[reason], { details: { field: 'code', reason } });

/**
 * The normalized code when it is valid for the currency (and the signed-in
 * customer) now; INVALID_DISCOUNT_CODE with `extensions.reason` otherwise.
 */
export async function requireValidCode(ctx: CartContext, rawCode: string, currency: Currency, userId?: string | null): Promise<string> {
  const code = normalizeCode(rawCode);
  if (!code || code.length > MAX_CODE_LENGTH) throw invalidCode('UNKNOWN_CODE');
  const row = await ctx.loaders.discountByCode.load(code);
  if (!row) throw invalidCode('UNKNOWN_CODE');
  const result = evaluate(row, currency, new Date(), await customerUsesOf(ctx, row, userId));
  if (result.reason) throw invalidCode(result.reason);
  return code;
}
