/**
 * Carts: reading them (with the access rule of access.ts) and every change a
 * shopper makes to one. Use this service for anything a resolver does with a
 * cart; merging (merge.service) and checkout (checkout.service) build on the
 * same writer (cart-writer.ts).
 *
 * A cart belongs either to an anonymous shopper — reached with the
 * `cartToken` createCart returned, kept only in Redis, expiring 24 h after
 * its last change — or to a signed-in user (one cart per user, reached by
 * identity, in Redis with a durable copy in PostgreSQL, expiring 7 days after
 * its last change).
 */
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode, notFound } from '@commerce/errors';
import type { CartContext } from '../context.js';
import { newCartDoc, type CartDoc, type Currency } from '../data/cart-document.js';
import { isUuid } from '../data/ids.js';
import { isPurchasable, lineTitle } from '../data/read-model.js';
import { checkCartAccess } from './access.js';
import { hashCartToken, newCartToken } from './cart-token.js';
import { changeCart, changeUserCart, type CartSelector } from './cart-writer.js';
import { requireValidCode } from './discount.service.js';
import {
  addToCart,
  moveSavedToCart,
  removeLine,
  requireQuantity,
  saveForLater,
  setQuantity,
} from './lines.js';

/** What every cart mutation returns; `cartToken` only when createCart made an anonymous cart. */
export interface CartPayload {
  cart: CartDoc;
  cartToken: string | null;
}

const payload = (cart: CartDoc): CartPayload => ({ cart, cartToken: null });

// ── reads ────────────────────────────────────────────────────────────────

/** A cart by id for its owner, an admin or its token holder; null when there is no such cart. */
export async function findCart(ctx: CartContext, id: string, cartToken?: string | null): Promise<CartDoc | null> {
  if (!isUuid(id)) return null;
  const cart = await ctx.loaders.cartById.load(id);
  if (!cart) return null;
  checkCartAccess(ctx, cart, cartToken, 'read');
  return cart;
}

/** The signed-in caller's cart, or null. */
export async function myCart(ctx: CartContext): Promise<CartDoc | null> {
  return ctx.identity ? ctx.loaders.cartByUser.load(ctx.identity.userId) : null;
}

/** User.cart; permissions.ts lets only the user and admins ask. */
export async function cartOfUser(ctx: CartContext, userId: string): Promise<CartDoc | null> {
  return ctx.loaders.cartByUser.load(userId);
}

/**
 * A Cart entity reference from another subgraph. Shield does not guard
 * `_entities`, so the access rule is applied here: owner or admin (an entity
 * reference carries no token, so anonymous carts are for admins only).
 */
export async function cartReference(ctx: CartContext, id: string): Promise<CartDoc | null> {
  return findCart(ctx, id, null);
}

export const itemCount = (cart: CartDoc): number => cart.lines.reduce((sum, line) => sum + line.quantity, 0);

// ── changes ──────────────────────────────────────────────────────────────

export interface CreateCartInput {
  currency?: Currency | null;
}

/**
 * Anonymous caller: a new, empty cart and its token (the only time the token
 * is shown). Signed-in caller: their cart, created when they have none (an
 * existing cart keeps its currency); no token.
 */
export async function createCart(ctx: CartContext, input: CreateCartInput | null | undefined): Promise<CartPayload> {
  const currency = input?.currency ?? 'USD';
  if (ctx.identity) {
    return payload(await changeUserCart(ctx, { userId: ctx.identity.userId, createIn: currency }, () => {}));
  }
  const cartToken = newCartToken();
  const cart = newCartDoc({ id: randomUUID(), userId: null, tokenHash: hashCartToken(cartToken), currency, now: new Date() });
  const stored = await ctx.store.put(cart, { mode: 'cas', expectedVersion: 0 });
  if (stored !== 'ok') throw new Error(`Fresh cart id ${cart.id} already taken in Redis`);
  return { cart, cartToken };
}

export interface AddCartLineInput extends CartSelector {
  variantId: string;
  quantity?: number | null;
}

function unsupportedCurrency(currency: Currency, skus: readonly string[]): AppError {
  return new AppError(
    ErrorCode.UNSUPPORTED_CURRENCY,
    `Not sold in ${currency}: ${skus.join(', ')}.`,
    { details: { currency, skus: [...skus] } },
  );
}

/**
 * Adds a variant (the same variant again raises its line's quantity). Only
 * ACTIVE products can be added (NOT_FOUND otherwise), priced in the cart's
 * currency (UNSUPPORTED_CURRENCY otherwise). A signed-in user without a cart
 * gets one (USD) on their first add.
 */
export async function addCartLine(ctx: CartContext, input: AddCartLineInput): Promise<CartPayload> {
  const quantity = requireQuantity(input.quantity ?? 1, 1);
  const variant = isUuid(input.variantId) ? await ctx.loaders.variantById.load(input.variantId) : null;
  if (!isPurchasable(variant)) throw notFound('Product variant', input.variantId);
  const cart = await changeCart(
    ctx,
    input,
    (draft, { now }) => {
      if (!variant.prices.has(draft.currency)) throw unsupportedCurrency(draft.currency, [variant.sku]);
      const product = { variantId: variant.variantId, productId: variant.productId, sku: variant.sku, title: lineTitle(variant) };
      addToCart(draft, product, quantity, now);
    },
    { createIn: 'USD' },
  );
  return payload(cart);
}

export interface UpdateCartLineQuantityInput extends CartSelector {
  lineId: string;
  quantity: number;
}

export async function updateCartLineQuantity(ctx: CartContext, input: UpdateCartLineQuantityInput): Promise<CartPayload> {
  const quantity = requireQuantity(input.quantity, 0);
  return payload(await changeCart(ctx, input, (draft) => setQuantity(draft, input.lineId, quantity)));
}

export interface LineInput extends CartSelector {
  lineId: string;
}

export async function removeCartLine(ctx: CartContext, input: LineInput): Promise<CartPayload> {
  return payload(await changeCart(ctx, input, (draft) => removeLine(draft, input.lineId)));
}

export async function saveCartLineForLater(ctx: CartContext, input: LineInput): Promise<CartPayload> {
  return payload(await changeCart(ctx, input, (draft) => saveForLater(draft, input.lineId)));
}

export async function moveSavedLineToCart(ctx: CartContext, input: LineInput): Promise<CartPayload> {
  return payload(await changeCart(ctx, input, (draft) => moveSavedToCart(draft, input.lineId)));
}

export interface ApplyDiscountCodeInput extends CartSelector {
  code: string;
}

/**
 * INVALID_DISCOUNT_CODE (with `extensions.reason`) for an unknown, inactive, not yet
 * started or expired code, one past its usage limits, or one not valid in the cart's currency.
 */
export async function applyDiscountCode(ctx: CartContext, input: ApplyDiscountCodeInput): Promise<CartPayload> {
  return payload(
    await changeCart(ctx, input, async (draft) => {
      draft.discountCode = await requireValidCode(ctx, input.code, draft.currency, draft.userId);
    }),
  );
}

export async function removeDiscountCode(ctx: CartContext, input: CartSelector): Promise<CartPayload> {
  return payload(
    await changeCart(ctx, input, (draft) => {
      draft.discountCode = null;
    }),
  );
}

export interface SetCartCurrencyInput extends CartSelector {
  currency: Currency;
}

/**
 * Switches the currency; every price is then read in it. Refused with
 * UNSUPPORTED_CURRENCY (listing the SKUs) when a line that can be bought is
 * not priced in the new currency. Unavailable lines and saved lines do not
 * block the switch: they are not being bought now.
 */
export async function setCartCurrency(ctx: CartContext, input: SetCartCurrencyInput): Promise<CartPayload> {
  const cart = await changeCart(ctx, input, async (draft) => {
    if (draft.currency === input.currency) return;
    const variants = await ctx.loaders.variantById.loadMany(draft.lines.map((line) => line.variantId));
    const unpriced: string[] = [];
    variants.forEach((variant) => {
      if (variant instanceof Error) throw variant;
      if (isPurchasable(variant) && !variant.prices.has(input.currency)) unpriced.push(variant.sku);
    });
    if (unpriced.length > 0) throw unsupportedCurrency(input.currency, unpriced);
    draft.currency = input.currency;
  });
  return payload(cart);
}
