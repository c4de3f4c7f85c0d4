/**
 * Cart pricing: what each line costs now and what the cart adds up to.
 * All amounts are integer minor units in the cart's currency; there is no
 * floating point anywhere on this path.
 *
 * Rules (also in schema.graphql and the README):
 * - A line's unit price is the read model's current price of its variant in
 *   the cart's currency (prices are read at read time, never copied into the
 *   cart). A line is *available* when its product is ACTIVE and priced in the
 *   currency; unavailable lines show lineTotal 0 and are left out of totals.
 * - subtotal = Σ unitPrice × quantity over available lines.
 * - discount: PERCENT codes take round-half-up(subtotal × percent / 100);
 *   FIXED codes take their amount in the currency, at most the subtotal.
 * - estimatedTax = round-half-up((subtotal − discount) × rate), one rounding
 *   on the discounted subtotal (not per line), with a flat estimate rate per
 *   currency: USD 8 % (a US sales-tax average), EUR 19 % (a VAT-style estimate).
 * - estimatedShipping: 0 for a cart with no available lines; otherwise 499
 *   below a discounted subtotal of 5000, and free from 5000 up.
 * - total = subtotal − discount + estimatedTax + estimatedShipping.
 */
import type { CartContext } from '../../context.js';
import type { CartDoc, CartLineDoc, Currency } from '../../data/cart-document.js';
import { lineTitle, type VariantView } from '../../data/read-model.js';
import { discountRuleFor, type DiscountRule } from '../discount.service.js';

/** Estimated tax rate per currency, in basis points (1/100 of a percent). */
export const TAX_RATE_BPS: Readonly<Record<Currency, number>> = { USD: 800, EUR: 1900 };
export const SHIPPING_FLAT_MINOR = 499;
export const FREE_SHIPPING_THRESHOLD_MINOR = 5000;

export interface TotalsLine {
  unitPriceMinor: number;
  quantity: number;
  available: boolean;
}

export interface Totals {
  subtotal: number;
  discount: number;
  estimatedTax: number;
  estimatedShipping: number;
  total: number;
}

/** numerator / denominator rounded half up, for non-negative integers, in integer arithmetic. */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`divideRoundHalfUp needs non-negative safe integers, got ${numerator} / ${denominator}`);
  }
  const quotient = Math.floor(numerator / denominator);
  const remainder = numerator - quotient * denominator;
  return remainder * 2 >= denominator ? quotient + 1 : quotient;
}

/** The discount a rule gives on a subtotal: never negative, never more than the subtotal. */
export function discountAmount(rule: DiscountRule | null, subtotal: number): number {
  if (!rule || subtotal <= 0) return 0;
  const amount = rule.kind === 'PERCENT' ? divideRoundHalfUp(subtotal * rule.percentOff, 100) : rule.amountMinor;
  return Math.min(Math.max(amount, 0), subtotal);
}

/** The cart's totals from its lines; pure, integer-only (unit-tested on its own). */
export function computeTotals(currency: Currency, lines: readonly TotalsLine[], rule: DiscountRule | null): Totals {
  let subtotal = 0;
  let hasItems = false;
  for (const line of lines) {
    if (!line.available || line.quantity <= 0) continue;
    subtotal += line.unitPriceMinor * line.quantity;
    hasItems = true;
  }
  const discount = discountAmount(rule, subtotal);
  const taxable = subtotal - discount;
  const estimatedTax = divideRoundHalfUp(taxable * TAX_RATE_BPS[currency], 10_000);
  const estimatedShipping = !hasItems || taxable >= FREE_SHIPPING_THRESHOLD_MINOR ? 0 : SHIPPING_FLAT_MINOR;
  return { subtotal, discount, estimatedTax, estimatedShipping, total: taxable + estimatedTax + estimatedShipping };
}

export interface Money {
  amountMinor: number;
  currency: Currency;
}

/** A cart line as the graph shows it (every CartLine field, ready to serve). */
export interface PricedLine {
  id: string;
  variant: { id: string };
  quantity: number;
  sku: string;
  productId: string;
  title: string;
  unitPrice: Money;
  lineTotal: Money;
  available: boolean;
}

export interface PricedCart {
  lines: PricedLine[];
  savedForLater: PricedLine[];
  totals: { subtotal: Money; discount: Money; estimatedTax: Money; estimatedShipping: Money; total: Money };
}

function priceLine(line: CartLineDoc, variant: VariantView | null, currency: Currency): PricedLine {
  const price = variant?.prices.get(currency);
  const available = variant?.status === 'ACTIVE' && price !== undefined;
  const unit = price ?? 0;
  return {
    id: line.id,
    variant: { id: line.variantId },
    quantity: line.quantity,
    sku: variant?.sku ?? line.sku,
    productId: variant?.productId ?? line.productId,
    title: variant ? lineTitle(variant) : line.title,
    unitPrice: { amountMinor: unit, currency },
    lineTotal: { amountMinor: available ? unit * line.quantity : 0, currency },
    available,
  };
}

async function buildPricedCart(ctx: CartContext, cart: CartDoc): Promise<PricedCart> {
  const all = [...cart.lines, ...cart.saved];
  const [variants, rule] = await Promise.all([
    ctx.loaders.variantById.loadMany(all.map((line) => line.variantId)),
    cart.discountCode ? discountRuleFor(ctx, cart.discountCode, cart.currency, new Date(), cart.userId) : Promise.resolve(null),
  ]);
  const priced = all.map((line, index) => {
    const variant = variants[index];
    if (variant instanceof Error) throw variant;
    return priceLine(line, variant ?? null, cart.currency);
  });
  const lines = priced.slice(0, cart.lines.length);
  const totals = computeTotals(
    cart.currency,
    lines.map((line) => ({ unitPriceMinor: line.unitPrice.amountMinor, quantity: line.quantity, available: line.available })),
    rule,
  );
  const money = (amountMinor: number): Money => ({ amountMinor, currency: cart.currency });
  return {
    lines,
    savedForLater: priced.slice(cart.lines.length),
    totals: {
      subtotal: money(totals.subtotal),
      discount: money(totals.discount),
      estimatedTax: money(totals.estimatedTax),
      estimatedShipping: money(totals.estimatedShipping),
      total: money(totals.total),
    },
  };
}

/**
 * The priced view of a cart, computed once per cart document per request
 * (lines, savedForLater and totals share it); variants of every cart in the
 * response are loaded in one batch.
 */
export function priceCart(ctx: CartContext, cart: CartDoc): Promise<PricedCart> {
  let priced = ctx.pricedCarts.get(cart);
  if (!priced) {
    priced = buildPricedCart(ctx, cart);
    ctx.pricedCarts.set(cart, priced);
  }
  return priced;
}
