/**
 * Discount codes: which code is valid for a cart, and what it takes off.
 * Codes live in the cart's database (`discount_codes`; WELCOME10 and TAKE5
 * are seeded by a migration). A code is valid when it is active, inside its
 * optional start/expiry window, and usable in the cart's currency (a PERCENT
 * code everywhere, a FIXED code where it has an amount in that currency).
 *
 * A cart stores only the code. Its value is worked out whenever the cart is
 * priced, so a code that expires (or is deactivated) while in a cart simply
 * stops taking anything off; applying it again then fails.
 */
import { AppError, ErrorCode } from '@commerce/errors';
import type { CartContext } from '../context.js';
import type { Currency } from '../data/cart-document.js';
import type { DiscountCodeRow } from '../data/loaders.js';

export type DiscountRule = { kind: 'PERCENT'; percentOff: number } | { kind: 'FIXED'; amountMinor: number };

const MAX_CODE_LENGTH = 64;

/** Codes are case-insensitive: stored and compared upper case, without surrounding spaces. */
export const normalizeCode = (code: string): string => code.trim().toUpperCase();

/** What the code takes off in the currency at `now`; null when it is not valid then and there. */
export function ruleOf(row: DiscountCodeRow, currency: Currency, now: Date): DiscountRule | null {
  if (!row.active) return null;
  if (row.startsAt && row.startsAt > now) return null;
  if (row.expiresAt && row.expiresAt <= now) return null;
  if (row.kind === 'PERCENT') {
    const percent = row.percentOff ?? 0;
    return percent >= 1 && percent <= 100 ? { kind: 'PERCENT', percentOff: percent } : null;
  }
  const amount = row.amounts.find((entry) => entry.currency === currency)?.amountMinor;
  return amount !== undefined && amount > 0 ? { kind: 'FIXED', amountMinor: amount } : null;
}

/** The rule of a cart's code, or null when the code is (no longer) valid for it. */
export async function discountRuleFor(
  ctx: CartContext,
  code: string,
  currency: Currency,
  now = new Date(),
): Promise<DiscountRule | null> {
  const row = await ctx.loaders.discountByCode.load(normalizeCode(code));
  return row ? ruleOf(row, currency, now) : null;
}

/** The normalized code when it is valid for the currency now; INVALID_DISCOUNT_CODE otherwise. */
export async function requireValidCode(ctx: CartContext, rawCode: string, currency: Currency): Promise<string> {
  const code = normalizeCode(rawCode);
  const invalid = () =>
    new AppError(ErrorCode.INVALID_DISCOUNT_CODE, 'This discount code is not valid.', { details: { field: 'code' } });
  if (!code || code.length > MAX_CODE_LENGTH) throw invalid();
  if (!(await discountRuleFor(ctx, code, currency))) throw invalid();
  return code;
}
