/**
 * Checkout, seen from the cart: when orders publishes `order.placed`, the
 * cart the order was placed from gives up the ordered quantities (lines
 * added after the order stay) and the cart publishes `cart.checked_out`.
 *
 * Exactly once per order: the consumer already skips a redelivered event
 * (processed_events), and cart_checkouts (keyed by order id) also turns a
 * second event for the same order into a no-op. Everything — the claim, the
 * durable copy, the outbox row — is one transaction, the consumer's; the
 * new version reaches Redis just before it commits, as for every user cart
 * change (cart-writer.ts).
 *
 * Guest orders (userId null) come from an anonymous cart, which lives in
 * Redis only: its ordered quantities are taken out with compare-and-set
 * inside the consumer's handler. If that transaction then fails to commit,
 * a redelivery takes them out again (lines added meanwhile could lose
 * units); the window is one commit.
 *
 * Back into the cart (`order.cancelled`): when an order ends PAYMENT_FAILED,
 * or CANCELLED before it was confirmed (nothing was charged), its lines come
 * back into the same cart — the same cart id (a guest's anonymous cart keeps
 * its id and token; recreated with both if it expired meanwhile), the same
 * variant adds up (at most 99 per line). Once per order (`restored_at`), so
 * the shopper can pay again without rebuilding the cart. The order's use of a
 * discount code is given back too (discount_code_uses, times_used), and the
 * code returns to the cart when the cart holds none.
 */
import type { OrderCancelledPayload, OrderPlacedPayload, TraceCarrier } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { bumpVersion, cartChanged, cloneCart, type CartDoc, type Currency } from '../data/cart-document.js';
import { recordDiscountUse, releaseDiscountUse } from '../data/discount-codes.js';
import { claimCheckoutAndLockCart, lockCartById, saveDurable, type CheckedOutLine, type LockedCart } from '../data/durable.js';
import { isUuid } from '../data/ids.js';
import { noteCartChange, type CartLive } from '../data/live.js';
import type { CartTx } from '../data/prisma.js';
import type { CartStore } from '../data/redis-store.js';
import { publishCheckedOut } from '../events/publish.js';
import { removeOrdered } from './lines.js';

export interface CheckoutDeps {
  store: CartStore;
  logger: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  /** Where an anonymous cart's new version is published (a user's cart goes through the transaction's notes). */
  live?: CartLive | undefined;
}

const ANONYMOUS_CAS_ATTEMPTS = 10;
const MAX_LINE_QUANTITY = 99;
const MAX_LINES = 100;

/** Changes an anonymous cart in Redis with compare-and-set; null when it is gone (or not anonymous). */
async function changeAnonymous(deps: CheckoutDeps, cartId: string, change: (draft: CartDoc) => void): Promise<CartDoc | null> {
  for (let attempt = 1; attempt <= ANONYMOUS_CAS_ATTEMPTS; attempt++) {
    const base = await deps.store.get(cartId);
    if (!base || base.userId) return null;
    const draft = cloneCart(base);
    change(draft);
    if (!cartChanged(base, draft)) return base;
    bumpVersion(draft, base, new Date());
    const result = await deps.store.put(draft, { mode: 'cas', expectedVersion: base.version });
    if (result === 'gone') return null;
    if (result === 'ok') {
      await deps.live?.publishCart(draft);
      return draft;
    }
  }
  throw new Error(`anonymous cart ${cartId} kept changing; retrying the checkout event`);
}

export async function applyOrderPlaced(
  deps: CheckoutDeps,
  tx: CartTx,
  order: Pick<OrderPlacedPayload, 'orderId' | 'cartId' | 'userId' | 'lines'> & Partial<Pick<OrderPlacedPayload, 'discountMinor' | 'email'>>,
  traceContext?: TraceCarrier,
): Promise<void> {
  const { orderId, cartId, userId } = order;
  // The code the order was placed with: the cart's at the time (order.placed carries the amount, not the code).
  let usedCode: string | null = null;
  const now = new Date();
  const lines: CheckedOutLine[] = order.lines.map((line) => ({
    variantId: line.variantId,
    productId: line.productId,
    sku: line.sku,
    title: line.name,
    quantity: line.quantity,
  }));
  let locked: LockedCart | null = null;
  if (isUuid(cartId)) {
    const checkout = await claimCheckoutAndLockCart(tx, { orderId, cartId, userId, lines }, now);
    if (!checkout.claimed) return;
    locked = checkout.locked;
  } else {
    // No uuid, so no cart to lock: the claim alone.
    const claim = await tx.cartCheckout.createMany({ data: [{ orderId, cartId, userId, lines: lines.map((line) => ({ ...line })) }], skipDuplicates: true });
    if (claim.count === 0) return;
  }

  if (userId === null && isUuid(cartId)) {
    // A guest order: the anonymous cart in Redis.
    const emptied = await changeAnonymous(deps, cartId, (draft) => {
      usedCode = draft.discountCode;
      removeOrdered(draft, order.lines);
      if (draft.lines.length === 0) draft.discountCode = null;
    });
    if (emptied) await tx.cartCheckout.update({ where: { orderId }, data: { tokenHash: emptied.tokenHash } });
    else deps.logger.warn({ orderId, cartId }, 'order.placed names an anonymous cart that is gone; nothing to empty');
  } else if (locked && locked.cart.userId === userId) {
    const base = locked.cart;
    usedCode = base.discountCode;
    const draft = cloneCart(base);
    removeOrdered(draft, order.lines);
    // The code was spent on this order.
    if (draft.lines.length === 0) draft.discountCode = null;
    if (cartChanged(base, draft)) {
      bumpVersion(draft, base, now);
      await saveDurable(tx, locked, draft);
      await deps.store.put(draft, { mode: 'newer' });
      // Live subscribers get the emptied cart once the consumer's transaction commits (events/consumers.ts).
      noteCartChange(tx, draft);
    }
  } else {
    deps.logger.warn({ orderId, cartId }, "order.placed names a cart that is gone or not the buyer's; nothing to empty");
  }
  // A use of the code, once per order (the claim above), when the order got a discount from it.
  if (usedCode && (order.discountMinor ?? 0) > 0) {
    await recordDiscountUse(tx, { orderId, code: usedCode, userId, email: order.email ?? null, cartId, usedAt: now });
  }
  // One per order even when the cart had already gone (expired): the order was still placed from it.
  await publishCheckedOut(tx, { cartId, userId, orderId }, traceContext);
}

/** Statuses an order leaves without anything charged: cancelled from one of them, its lines come back. */
const BEFORE_PAYMENT: ReadonlySet<string> = new Set(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED']);

/** Adds the order's lines back into the cart's lines (the same variant adds up, capped). */
export function addBack(draft: CartDoc, lines: readonly CheckedOutLine[], now: Date): void {
  for (const line of lines) {
    const existing = draft.lines.find((candidate) => candidate.variantId === line.variantId);
    if (existing) {
      existing.quantity = Math.min(MAX_LINE_QUANTITY, existing.quantity + line.quantity);
      continue;
    }
    if (draft.lines.length >= MAX_LINES) continue;
    draft.lines.push({
      id: crypto.randomUUID(),
      variantId: line.variantId,
      productId: line.productId,
      sku: line.sku,
      title: line.title,
      quantity: Math.min(MAX_LINE_QUANTITY, line.quantity),
      addedAt: now.toISOString(),
    });
  }
}

function storedLines(value: unknown): CheckedOutLine[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw: unknown) => {
    const line = raw as Partial<CheckedOutLine>;
    return typeof line?.variantId === 'string' && typeof line.quantity === 'number' && line.quantity > 0
      ? [{ variantId: line.variantId, productId: String(line.productId ?? ''), sku: String(line.sku ?? ''), title: String(line.title ?? ''), quantity: line.quantity }]
      : [];
  });
}

/**
 * order.cancelled: an order that failed before payment gives its lines back
 * to the cart it was placed from (see the top of this file). Once per order.
 */
export async function applyOrderCancelled(
  deps: CheckoutDeps,
  tx: CartTx,
  order: Pick<OrderCancelledPayload, 'orderId' | 'from' | 'to'>,
  currencyOfNewCart: Currency = 'USD',
): Promise<void> {
  if (order.to !== 'PAYMENT_FAILED' && !BEFORE_PAYMENT.has(order.from)) return;
  // Nothing was charged: the order's use of a discount code is given back (limits count it no more),
  // and the code comes back into the cart with the lines when the cart holds none.
  const releasedCode = await releaseDiscountUse(tx, order.orderId);
  const giveCodeBack = (draft: CartDoc): void => {
    if (releasedCode && !draft.discountCode) draft.discountCode = releasedCode;
  };
  // Claims the restore: a second event for the order finds restored_at set.
  const claimed = await tx.$queryRaw<{ cart_id: string; user_id: string | null; lines: unknown; token_hash: string | null }[]>`
    UPDATE cart_checkouts SET restored_at = now()
     WHERE order_id = ${order.orderId}::uuid AND restored_at IS NULL AND lines IS NOT NULL
    RETURNING cart_id::text AS cart_id, user_id::text AS user_id, lines, token_hash`;
  const checkout = claimed[0];
  if (!checkout) return;
  const lines = storedLines(checkout.lines);
  if (lines.length === 0) return;
  const now = new Date();

  if (checkout.user_id === null) {
    const restored = await changeAnonymous(deps, checkout.cart_id, (draft) => {
      addBack(draft, lines, now);
      giveCodeBack(draft);
    });
    if (restored) return;
    if (!checkout.token_hash) {
      deps.logger.warn({ orderId: order.orderId, cartId: checkout.cart_id }, 'anonymous cart gone and its token unknown; lines not restored');
      return;
    }
    // Expired meanwhile: the same cart again (same id and token), with the lines.
    const at = now.toISOString();
    const cart: CartDoc = {
      id: checkout.cart_id,
      userId: null,
      tokenHash: checkout.token_hash,
      currency: currencyOfNewCart,
      discountCode: null,
      lines: [],
      saved: [],
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    addBack(cart, lines, now);
    giveCodeBack(cart);
    await deps.store.put(cart, { mode: 'newer' });
    await deps.live?.publishCart(cart);
    return;
  }

  const locked = await lockCartById(tx, checkout.cart_id, now);
  if (!locked || locked.cart.userId !== checkout.user_id) {
    deps.logger.warn({ orderId: order.orderId, cartId: checkout.cart_id }, "the order's cart is gone; lines not restored");
    return;
  }
  const base = locked.cart;
  const draft = cloneCart(base);
  addBack(draft, lines, now);
  giveCodeBack(draft);
  if (!cartChanged(base, draft)) return;
  bumpVersion(draft, base, now);
  await saveDurable(tx, locked, draft);
  await deps.store.put(draft, { mode: 'newer' });
  noteCartChange(tx, draft);
  deps.logger.info?.({ orderId: order.orderId, cartId: base.id }, "the failed order's lines are back in the cart");
}
