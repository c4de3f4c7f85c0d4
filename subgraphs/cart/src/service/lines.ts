/**
 * The rules for a cart's lines, as pure changes to a cart draft: quantities
 * 1–99 per line, at most 100 lines in the cart (and 100 saved for later),
 * one line per variant in each list. The cart service loads, checks access,
 * calls one of these on a copy and stores the result.
 */
import { randomUUID } from 'node:crypto';
import { badInput, notFound } from '@commerce/errors';
import type { CartDoc, CartLineDoc } from '../data/cart-document.js';

export const MAX_LINE_QUANTITY = 99;
export const MAX_LINES = 100;

export interface LineProduct {
  variantId: string;
  productId: string;
  sku: string;
  title: string;
}

/** A quantity a caller asks for: an integer from `min` to 99. */
export function requireQuantity(quantity: number, min: 0 | 1, field = 'quantity'): number {
  if (!Number.isInteger(quantity) || quantity < min || quantity > MAX_LINE_QUANTITY) {
    throw badInput(`The quantity must be a whole number from ${min} to ${MAX_LINE_QUANTITY}.`, field);
  }
  return quantity;
}

function findLine(lines: CartLineDoc[], lineId: string, what = 'Cart line'): { line: CartLineDoc; index: number } {
  const index = lines.findIndex((line) => line.id === lineId);
  const line = lines[index];
  if (!line) throw notFound(what, lineId);
  return { line, index };
}

function requireRoom(lines: CartLineDoc[], field: string): void {
  if (lines.length >= MAX_LINES) throw badInput(`A cart holds at most ${MAX_LINES} lines.`, field);
}

/** Adds the variant; an existing line of it grows. More than 99 on the line is BAD_USER_INPUT. */
export function addToCart(draft: CartDoc, product: LineProduct, quantity: number, now: Date): CartLineDoc {
  const existing = draft.lines.find((line) => line.variantId === product.variantId);
  if (existing) {
    const total = existing.quantity + quantity;
    if (total > MAX_LINE_QUANTITY) {
      throw badInput(`A line holds at most ${MAX_LINE_QUANTITY}; this one already has ${existing.quantity}.`, 'quantity');
    }
    existing.quantity = total;
    // Names may have changed since the line was added.
    Object.assign(existing, { productId: product.productId, sku: product.sku, title: product.title });
    return existing;
  }
  requireRoom(draft.lines, 'variantId');
  const line: CartLineDoc = { id: randomUUID(), ...product, quantity, addedAt: now.toISOString() };
  draft.lines.push(line);
  return line;
}

/** Sets a line's quantity; 0 removes the line. */
export function setQuantity(draft: CartDoc, lineId: string, quantity: number): void {
  const { line, index } = findLine(draft.lines, lineId);
  if (quantity === 0) draft.lines.splice(index, 1);
  else line.quantity = quantity;
}

export function removeLine(draft: CartDoc, lineId: string): void {
  const { index } = findLine(draft.lines, lineId);
  draft.lines.splice(index, 1);
}

/**
 * Moves `line` into `target`: a line of the same variant there takes the
 * quantities added up (capped at 99), otherwise the line moves as it is.
 */
function moveInto(target: CartLineDoc[], line: CartLineDoc, field: string): void {
  const same = target.find((other) => other.variantId === line.variantId);
  if (same) {
    same.quantity = Math.min(same.quantity + line.quantity, MAX_LINE_QUANTITY);
    return;
  }
  requireRoom(target, field);
  target.push(line);
}

export function saveForLater(draft: CartDoc, lineId: string): void {
  const { line, index } = findLine(draft.lines, lineId);
  draft.lines.splice(index, 1);
  moveInto(draft.saved, line, 'lineId');
}

export function moveSavedToCart(draft: CartDoc, lineId: string): void {
  const { line, index } = findLine(draft.saved, lineId, 'Saved line');
  draft.saved.splice(index, 1);
  moveInto(draft.lines, line, 'lineId');
}

/**
 * Merges another cart's lines (and saved lines) into the draft without
 * losing or doubling any: the same variant adds up, capped at 99 per line;
 * new variants are appended with fresh line ids. BAD_USER_INPUT when the
 * result would exceed 100 lines (nothing is merged then).
 */
export function mergeInto(draft: CartDoc, source: Pick<CartDoc, 'lines' | 'saved'>, now: Date): void {
  const merge = (target: CartLineDoc[], lines: readonly CartLineDoc[]) => {
    for (const line of lines) {
      moveInto(target, { ...line, id: randomUUID(), addedAt: now.toISOString() }, 'cartId');
    }
  };
  merge(draft.lines, source.lines);
  merge(draft.saved, source.saved);
}

/**
 * Takes ordered quantities out of the cart (checkout): a line of an ordered
 * variant loses the ordered quantity and goes when nothing is left. Lines
 * added after the order was placed stay.
 */
export function removeOrdered(draft: CartDoc, ordered: readonly { variantId: string; quantity: number }[]): void {
  const byVariant = new Map<string, number>();
  for (const line of ordered) byVariant.set(line.variantId, (byVariant.get(line.variantId) ?? 0) + line.quantity);
  draft.lines = draft.lines.flatMap((line) => {
    const taken = byVariant.get(line.variantId);
    if (taken === undefined) return [line];
    const left = line.quantity - taken;
    return left > 0 ? [{ ...line, quantity: left }] : [];
  });
}
