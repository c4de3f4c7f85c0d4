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
 */
import type { OrderPlacedPayload, TraceCarrier } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { bumpVersion, cartChanged, cloneCart } from '../data/cart-document.js';
import { claimCheckoutAndLockCart, saveDurable, type LockedCart } from '../data/durable.js';
import { isUuid } from '../data/ids.js';
import { noteCartChange } from '../data/live.js';
import type { CartTx } from '../data/prisma.js';
import type { CartStore } from '../data/redis-store.js';
import { publishCheckedOut } from '../events/publish.js';
import { removeOrdered } from './lines.js';

export interface CheckoutDeps {
  store: CartStore;
  logger: Pick<Logger, 'warn'>;
}

export async function applyOrderPlaced(
  deps: CheckoutDeps,
  tx: CartTx,
  order: Pick<OrderPlacedPayload, 'orderId' | 'cartId' | 'userId' | 'lines'>,
  traceContext?: TraceCarrier,
): Promise<void> {
  const { orderId, cartId, userId } = order;
  const now = new Date();
  let locked: LockedCart | null = null;
  if (isUuid(cartId)) {
    const checkout = await claimCheckoutAndLockCart(tx, { orderId, cartId, userId }, now);
    if (!checkout.claimed) return;
    locked = checkout.locked;
  } else {
    // No uuid, so no cart to lock: the claim alone.
    const claim = await tx.cartCheckout.createMany({ data: [{ orderId, cartId, userId }], skipDuplicates: true });
    if (claim.count === 0) return;
  }

  if (locked && locked.cart.userId === userId) {
    const base = locked.cart;
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
  // One per order even when the cart had already gone (expired): the order was still placed from it.
  await publishCheckedOut(tx, { cartId, userId, orderId }, traceContext);
}
