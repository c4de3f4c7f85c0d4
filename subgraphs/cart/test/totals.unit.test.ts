/** Pure rules: totals math, line rules and event diffs. No database, no Redis. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { newCartDoc, type CartDoc } from '../src/data/cart-document.js';
import { cartEventId, lineChanges } from '../src/events/publish.js';
import { addToCart, mergeInto, removeOrdered, requireQuantity, MAX_LINES } from '../src/service/lines.js';
import { computeTotals, discountAmount, divideRoundHalfUp } from '../src/service/pricing/totals.service.js';

const line = (unitPriceMinor: number, quantity: number, available = true) => ({ unitPriceMinor, quantity, available });
const WELCOME10 = { kind: 'PERCENT', percentOff: 10 } as const;
const TAKE5 = { kind: 'FIXED', amountMinor: 500 } as const;

describe('divideRoundHalfUp', () => {
  it('rounds half up and everything else to the nearest', () => {
    expect(divideRoundHalfUp(5, 10)).toBe(1);
    expect(divideRoundHalfUp(4, 10)).toBe(0);
    expect(divideRoundHalfUp(15, 10)).toBe(2);
    expect(divideRoundHalfUp(25, 10)).toBe(3);
    expect(divideRoundHalfUp(14, 10)).toBe(1);
    expect(divideRoundHalfUp(0, 7)).toBe(0);
  });

  it('refuses fractions and negatives', () => {
    expect(() => divideRoundHalfUp(1.5, 2)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(-1, 2)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(1, 0)).toThrow(RangeError);
  });
});

describe('computeTotals', () => {
  it('USD without a code: 8 % tax on the subtotal, flat shipping below 50.00', () => {
    // 2 × 19.99 + 5.00 = 44.98; tax 3.5984 → 3.60; shipping 4.99.
    expect(computeTotals('USD', [line(1999, 2), line(500, 1)], null)).toEqual({
      subtotal: 4498,
      discount: 0,
      estimatedTax: 360,
      estimatedShipping: 499,
      total: 4498 + 360 + 499,
    });
  });

  it('USD with WELCOME10: 10 % off (half up), tax on the discounted subtotal', () => {
    // 449.8 → 450 off; 4048 × 8 % = 323.84 → 324.
    expect(computeTotals('USD', [line(1999, 2), line(500, 1)], WELCOME10)).toEqual({
      subtotal: 4498,
      discount: 450,
      estimatedTax: 324,
      estimatedShipping: 499,
      total: 4048 + 324 + 499,
    });
  });

  it('EUR: 19 % VAT-style estimate, free shipping from 50.00', () => {
    // 3 × 18.99 = 56.97; tax 10.8243 → 10.82.
    expect(computeTotals('EUR', [line(1899, 3)], null)).toEqual({
      subtotal: 5697,
      discount: 0,
      estimatedTax: 1082,
      estimatedShipping: 0,
      total: 5697 + 1082,
    });
  });

  it('EUR with TAKE5: 5.00 off', () => {
    // 5197 × 19 % = 987.43 → 987.
    expect(computeTotals('EUR', [line(1899, 3)], TAKE5)).toEqual({
      subtotal: 5697,
      discount: 500,
      estimatedTax: 987,
      estimatedShipping: 0,
      total: 5197 + 987,
    });
  });

  it('rounds tax half up once, on the subtotal', () => {
    // 0.50 EUR × 19 % = 0.095 → 0.10 (9.5 minor → 10).
    expect(computeTotals('EUR', [line(25, 2)], null).estimatedTax).toBe(10);
    // Per line it would be 3 × round(3.23) = 9; on the subtotal it is 51 × 19 % = 9.69 → 10.
    expect(computeTotals('EUR', [line(17, 3)], null).estimatedTax).toBe(10);
  });

  it('a fixed code never takes more than the subtotal; shipping still applies to a non-empty cart', () => {
    expect(computeTotals('USD', [line(300, 1)], TAKE5)).toEqual({
      subtotal: 300,
      discount: 300,
      estimatedTax: 0,
      estimatedShipping: 499,
      total: 499,
    });
  });

  it('the free-shipping threshold is on the discounted subtotal', () => {
    expect(computeTotals('USD', [line(5000, 1)], null).estimatedShipping).toBe(0);
    expect(computeTotals('USD', [line(4999, 1)], null).estimatedShipping).toBe(499);
    // 5200 − 520 = 4680 < 5000.
    expect(computeTotals('USD', [line(5200, 1)], WELCOME10).estimatedShipping).toBe(499);
  });

  it('an empty cart, or one with only unavailable lines, costs nothing', () => {
    const zero = { subtotal: 0, discount: 0, estimatedTax: 0, estimatedShipping: 0, total: 0 };
    expect(computeTotals('USD', [], WELCOME10)).toEqual(zero);
    expect(computeTotals('EUR', [line(1999, 2, false)], TAKE5)).toEqual(zero);
  });

  it('unavailable lines are left out of the subtotal', () => {
    expect(computeTotals('USD', [line(1000, 1), line(99_999, 3, false)], null).subtotal).toBe(1000);
  });

  it('percent discounts round half up', () => {
    expect(discountAmount(WELCOME10, 5)).toBe(1);
    expect(discountAmount(WELCOME10, 14)).toBe(1);
    expect(discountAmount(WELCOME10, 15)).toBe(2);
    expect(discountAmount({ kind: 'PERCENT', percentOff: 100 }, 1234)).toBe(1234);
  });

  it('always yields integers', () => {
    for (let price = 1; price < 400; price += 7) {
      for (const currency of ['USD', 'EUR'] as const) {
        const totals = computeTotals(currency, [line(price, 3), line(price + 1, 1)], WELCOME10);
        for (const value of Object.values(totals)) expect(Number.isInteger(value)).toBe(true);
        expect(totals.total).toBe(totals.subtotal - totals.discount + totals.estimatedTax + totals.estimatedShipping);
      }
    }
  });
});

const now = new Date('2026-01-01T00:00:00Z');
const emptyCart = (): CartDoc => newCartDoc({ id: randomUUID(), userId: null, tokenHash: 'x', currency: 'USD', now });
const product = (variantId = randomUUID()) => ({ variantId, productId: randomUUID(), sku: `S-${variantId.slice(0, 4)}`, title: 'T' });

describe('line rules', () => {
  it('quantities are whole numbers from 1 (or 0 for updates) to 99', () => {
    expect(requireQuantity(1, 1)).toBe(1);
    expect(requireQuantity(0, 0)).toBe(0);
    expect(() => requireQuantity(0, 1)).toThrow(/from 1 to 99/);
    expect(() => requireQuantity(100, 0)).toThrow(/from 0 to 99/);
    expect(() => requireQuantity(1.5, 1)).toThrow();
  });

  it('adding the same variant raises its line, up to 99', () => {
    const cart = emptyCart();
    const p = product();
    addToCart(cart, p, 60, now);
    addToCart(cart, p, 39, now);
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]?.quantity).toBe(99);
    expect(() => addToCart(cart, p, 1, now)).toThrow(/at most 99/);
  });

  it('a cart holds at most 100 lines', () => {
    const cart = emptyCart();
    for (let i = 0; i < MAX_LINES; i++) addToCart(cart, product(), 1, now);
    expect(() => addToCart(cart, product(), 1, now)).toThrow(/at most 100 lines/);
  });

  it('merging adds up the same variant (capped at 99) and appends the rest, once each', () => {
    const target = emptyCart();
    const source = emptyCart();
    const shared = product();
    addToCart(target, shared, 70, now);
    addToCart(source, shared, 50, now);
    const other = product();
    addToCart(source, other, 2, now);
    mergeInto(target, source, now);
    expect(target.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [shared.variantId, 99],
      [other.variantId, 2],
    ]);
    expect(new Set(target.lines.map((l) => l.id)).size).toBe(2);
  });

  it('checkout takes the ordered quantities out and keeps the rest', () => {
    const cart = emptyCart();
    const a = product();
    const b = product();
    const c = product();
    addToCart(cart, a, 2, now);
    addToCart(cart, b, 5, now);
    addToCart(cart, c, 1, now);
    removeOrdered(cart, [
      { variantId: a.variantId, quantity: 2 },
      { variantId: b.variantId, quantity: 3 },
    ]);
    expect(cart.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [b.variantId, 2],
      [c.variantId, 1],
    ]);
  });
});

describe('line events', () => {
  it('reports additions, increases and removals, not decreases', () => {
    const before = emptyCart();
    const a = product();
    const b = product();
    const c = product();
    addToCart(before, a, 2, now);
    addToCart(before, b, 5, now);
    const after = structuredClone(before);
    after.lines[0]!.quantity = 3;
    after.lines[1]!.quantity = 1;
    addToCart(after, c, 1, now);
    const removed = structuredClone(after);
    removed.lines = removed.lines.filter((l) => l.variantId !== a.variantId);
    expect(lineChanges(before, after)).toEqual([
      { kind: 'added', variantId: a.variantId, quantity: 3 },
      { kind: 'added', variantId: c.variantId, quantity: 1 },
    ]);
    expect(lineChanges(after, removed)).toEqual([{ kind: 'removed', variantId: a.variantId }]);
  });

  it('event ids are stable valid uuids per cart version and index', () => {
    const id = randomUUID();
    expect(cartEventId(id, 3, 0)).toBe(cartEventId(id, 3, 0));
    expect(cartEventId(id, 3, 0)).not.toBe(cartEventId(id, 3, 1));
    expect(cartEventId(id, 3, 0)).not.toBe(cartEventId(id, 4, 0));
    expect(z.uuid().safeParse(cartEventId(id, 3, 0)).success).toBe(true);
  });
});
