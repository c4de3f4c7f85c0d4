/**
 * The cart as it is stored: one JSON document per cart in Redis (the
 * primary store), and for signed-in users' carts also as rows in PostgreSQL
 * (the durable copy). Prices are deliberately *not* part of the document:
 * they are read from the variant read model whenever the cart is read, so a
 * catalog price change reaches every cart at once.
 */

export const CURRENCIES = ['USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

export const isCurrency = (value: string): value is Currency => (CURRENCIES as readonly string[]).includes(value);

export interface CartLineDoc {
  id: string;
  variantId: string;
  /** productId, sku and title as they were when the line was added: a fallback when the variant leaves the read model. */
  productId: string;
  sku: string;
  title: string;
  quantity: number;
  /** ISO timestamp. */
  addedAt: string;
}

export interface CartDoc {
  id: string;
  /** Null for an anonymous cart. */
  userId: string | null;
  /** SHA-256 (hex) of an anonymous cart's token; null for a user's cart. */
  tokenHash: string | null;
  currency: Currency;
  discountCode: string | null;
  /** In the cart, oldest first. */
  lines: CartLineDoc[];
  /** Saved for later, oldest first. */
  saved: CartLineDoc[];
  /** Bumped by every change; it orders the writes to Redis (see CartStore). */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Anonymous carts live 24 hours, users' carts 7 days, counted from the last change. */
export const ANONYMOUS_CART_TTL_MS = 24 * 60 * 60 * 1000;
export const USER_CART_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const ttlOf = (cart: Pick<CartDoc, 'userId'>): number => (cart.userId ? USER_CART_TTL_MS : ANONYMOUS_CART_TTL_MS);

/** When the cart expires: its last change plus its lifetime. */
export const expiresAtOf = (cart: Pick<CartDoc, 'userId' | 'updatedAt'>): Date =>
  new Date(Date.parse(cart.updatedAt) + ttlOf(cart));

export function newCartDoc(fields: {
  id: string;
  userId: string | null;
  tokenHash: string | null;
  currency: Currency;
  now: Date;
}): CartDoc {
  const at = fields.now.toISOString();
  return {
    id: fields.id,
    userId: fields.userId,
    tokenHash: fields.tokenHash,
    currency: fields.currency,
    discountCode: null,
    lines: [],
    saved: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

export const cloneCart = (cart: CartDoc): CartDoc => structuredClone(cart);

/** True when the content differs (version and updatedAt aside). */
export function cartChanged(before: CartDoc, after: CartDoc): boolean {
  const content = (cart: CartDoc) =>
    JSON.stringify([cart.userId, cart.tokenHash, cart.currency, cart.discountCode, cart.lines, cart.saved]);
  return content(before) !== content(after);
}

/** Marks a changed draft: next version, updated now. */
export function bumpVersion(draft: CartDoc, base: CartDoc, now: Date): void {
  draft.version = base.version + 1;
  draft.updatedAt = now.toISOString();
}
