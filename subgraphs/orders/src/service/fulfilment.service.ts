/**
 * What people do to an order after placement: admins pack (fulfil), ship,
 * mark delivered and cancel; a customer may cancel their own order before
 * payment is authorized. Use this service for any status change a person
 * causes; the saga's reactions to events live in saga.service.
 *
 * Each change locks the order row, goes through the state machine (which
 * refuses what the table does not allow with INVALID_STATE_TRANSITION and
 * publishes the events), and records the acting user in the timeline.
 * permissions.ts decides who may call the admin mutations; the customer's
 * ownership check is here, because it depends on the order. Each admin change
 * leaves an audit entry in its transaction (audit.service).
 */
import { notFound, unauthenticated } from '@commerce/errors';
import type { OrdersContext } from '../context.js';
import type { Order, OrderStatus } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { transactionWithLive } from '../data/live.js';
import { primeOrders } from '../data/loaders.js';
import type { OrdersTx } from '../data/prisma.js';
import { canSeeOrder } from './order-read.service.js';
import { recordAudit, statusChange } from './audit.service.js';
import { invalidTransition, lockOrder, transitionOrder, type Actor, type TransitionOptions } from './order-state-machine.js';
import { optionalText, requireText } from './validation.js';

/** Statuses in which the owner may still cancel: nothing has been charged. */
export const CUSTOMER_CANCELLABLE: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['PENDING', 'STOCK_RESERVED']);

function actorOf(ctx: OrdersContext): Actor {
  if (!ctx.identity) throw unauthenticated();
  return { userId: ctx.identity.userId };
}

/**
 * Runs `change` in a transaction holding the order's row lock. NOT_FOUND when
 * the order does not exist or (with `visibleOnly`) is not visible to the caller.
 * Transitions reach the order's live channel after the commit.
 */
export async function withLockedOrder(
  ctx: OrdersContext,
  orderId: string,
  change: (tx: OrdersTx, order: Order) => Promise<Order>,
  options: { visibleOnly?: boolean } = {},
): Promise<Order> {
  if (!isUuid(orderId)) throw notFound('Order', orderId);
  const updated = await transactionWithLive(ctx.prisma, ctx.live, async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order || (options.visibleOnly && !canSeeOrder(ctx.identity, order))) throw notFound('Order', orderId);
    return change(tx, order);
  });
  primeOrders(ctx.loaders, [updated]);
  ctx.loaders.timelineByOrder.clear(orderId);
  return updated;
}

/**
 * An admin's transition of a locked order, audited under `action` in the same
 * transaction (before/after of the status and what changed with it).
 */
function adminTransition(
  ctx: OrdersContext,
  action: string,
  orderId: string,
  to: OrderStatus,
  options: Omit<TransitionOptions, 'actor' | 'traceContext'> = {},
): Promise<Order> {
  const actor = actorOf(ctx);
  return withLockedOrder(ctx, orderId, async (tx, order) => {
    const updated = await transitionOrder(tx, order, to, { ...options, actor, traceContext: ctx.traceContext });
    await recordAudit(tx, ctx, { action, targetType: 'Order', targetId: order.id, changes: statusChange(order, updated) });
    return updated;
  });
}

/** Admin: CONFIRMED → FULFILLED (packed). */
export function fulfillOrder(ctx: OrdersContext, input: { orderId: string }): Promise<Order> {
  return adminTransition(ctx, 'fulfillOrder', input.orderId, 'FULFILLED');
}

/** Admin: FULFILLED → SHIPPED, recording the carrier's tracking number. */
export function shipOrder(ctx: OrdersContext, input: { orderId: string; trackingNumber: string }): Promise<Order> {
  actorOf(ctx);
  const trackingNumber = requireText(input.trackingNumber, 'trackingNumber', 100);
  return adminTransition(ctx, 'shipOrder', input.orderId, 'SHIPPED', { reason: `Tracking number ${trackingNumber}`, trackingNumber });
}

/** Admin: SHIPPED → DELIVERED. */
export function markOrderDelivered(ctx: OrdersContext, input: { orderId: string }): Promise<Order> {
  return adminTransition(ctx, 'markOrderDelivered', input.orderId, 'DELIVERED');
}

/**
 * Admin: any status up to FULFILLED → CANCELLED. order.cancelled carries the
 * status the order left, so inventory releases a reservation or restocks
 * committed units, and payments voids or refunds.
 */
export function cancelOrder(ctx: OrdersContext, input: { orderId: string; reason: string }): Promise<Order> {
  actorOf(ctx);
  const reason = requireText(input.reason, 'reason', 500);
  return adminTransition(ctx, 'cancelOrder', input.orderId, 'CANCELLED', { reason });
}

/**
 * The owner cancels their order while it is PENDING or STOCK_RESERVED.
 * Someone else's order is NOT_FOUND, as it is for reads.
 */
export function cancelMyOrder(ctx: OrdersContext, input: { orderId: string; reason?: string | null }): Promise<Order> {
  const actor = actorOf(ctx);
  const given = optionalText(input.reason, 'reason', 500);
  const reason = given ? `Cancelled by the customer: ${given}` : 'Cancelled by the customer';
  return withLockedOrder(
    ctx,
    input.orderId,
    (tx, order) => {
      if (!CUSTOMER_CANCELLABLE.has(order.status)) {
        throw invalidTransition(
          order.status,
          'CANCELLED',
          `An order can be cancelled by its owner only while PENDING or STOCK_RESERVED; this one is ${order.status}.`,
        );
      }
      return transitionOrder(tx, order, 'CANCELLED', { actor, reason, traceContext: ctx.traceContext });
    },
    { visibleOnly: true },
  );
}
