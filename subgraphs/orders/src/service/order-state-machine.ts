/**
 * The order state machine: the one table of allowed transitions, and the one
 * function that performs a transition. Every status change of an order, from
 * a customer, an admin or a saga event, goes through `transitionOrder`, so
 * each one is checked against the table, leaves a timeline row, and publishes
 * `order.status_changed` (plus `order.confirmed` / `order.cancelled` where
 * the saga needs them) in the caller's transaction.
 *
 *   PENDING → STOCK_RESERVED → PAYMENT_AUTHORIZED → CONFIRMED → FULFILLED → SHIPPED → DELIVERED
 *   exits: CANCELLED (with a reason), PAYMENT_FAILED (with a reason), REFUNDED
 *
 * Callers hold the order's row lock (`lockOrder`, SELECT … FOR UPDATE) from
 * reading the status to the transition, so two transitions of one order never
 * interleave: the second sees the first's result.
 */
import { AppError, ErrorCode, badInput } from '@commerce/errors';
import type { TraceCarrier } from '@commerce/events';
import type { Order, OrderStatus } from '../generated/prisma/client.js';
import { noteTransition } from '../data/live.js';
import type { Prisma, OrdersTx } from '../data/prisma.js';
import { publishCancelled, publishConfirmed, publishStatusChanged } from '../events/publish.js';

/** Allowed next statuses of each status. Anything not listed is INVALID_STATE_TRANSITION. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['STOCK_RESERVED', 'CANCELLED'],
  // PAYMENT_FAILED only from STOCK_RESERVED: payments never charges before stock is held, and
  // order.cancelled {from} tells inventory whether there is a reservation to release.
  STOCK_RESERVED: ['PAYMENT_AUTHORIZED', 'PAYMENT_FAILED', 'CANCELLED'],
  PAYMENT_AUTHORIZED: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['FULFILLED', 'CANCELLED', 'REFUNDED'],
  FULFILLED: ['SHIPPED', 'CANCELLED', 'REFUNDED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  CANCELLED: [],
  PAYMENT_FAILED: [],
  REFUNDED: [],
};

export const ORDER_STATUSES = Object.keys(TRANSITIONS) as OrderStatus[];

/** Statuses with no way out: saga events arriving for them are ignored. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(ORDER_STATUSES.filter((status) => TRANSITIONS[status].length === 0));

/** Transitions into these need a reason, and publish order.cancelled. */
const CANCELLING: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['CANCELLED', 'PAYMENT_FAILED']);

export const isFinal = (status: OrderStatus): boolean => FINAL_STATUSES.has(status);

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export function invalidTransition(from: OrderStatus, to: OrderStatus, message?: string): AppError {
  return new AppError(ErrorCode.INVALID_STATE_TRANSITION, message ?? `An order cannot go from ${from} to ${to}.`, {
    details: { from, to },
  });
}

/** Throws INVALID_STATE_TRANSITION (extensions.from / extensions.to) unless the table allows it. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw invalidTransition(from, to);
}

/** Who caused a transition: the saga, or a signed-in user (customer or admin). */
export type Actor = 'system' | { userId: string };
export const SYSTEM: Actor = 'system';
const actorColumn = (actor: Actor): string => (actor === 'system' ? 'system' : actor.userId);

/**
 * Takes the order's row lock for the rest of the transaction and returns the
 * row as it is under the lock; null when there is no such order.
 */
export async function lockOrder(tx: OrdersTx, orderId: string): Promise<Order | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM orders WHERE id = ${orderId}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.order.findUnique({ where: { id: orderId } });
}

export interface TransitionOptions {
  reason?: string | null;
  actor: Actor;
  traceContext?: TraceCarrier;
  /** Other columns that change with the status (e.g. the tracking number when shipping). */
  data?: Omit<Prisma.OrderUpdateInput, 'status' | 'statusReason' | 'version'>;
  /** When it happened; defaults to now. */
  at?: Date;
}

/**
 * Moves a locked order to `to`: checks the table, updates the row, writes the
 * timeline row and the events. Returns the updated row.
 *
 * Events: always order.status_changed; order.confirmed on CONFIRMED;
 * order.cancelled {from, to, reason} on CANCELLED and PAYMENT_FAILED, which is
 * how inventory and payments learn to compensate. The new row also goes to
 * the order's live channel after the commit, when the transaction was started
 * with transactionWithLive (data/live.ts).
 */
export async function transitionOrder(tx: OrdersTx, order: Order, to: OrderStatus, options: TransitionOptions): Promise<Order> {
  const from = order.status;
  assertTransition(from, to);
  const reason = options.reason?.trim() || null;
  if (CANCELLING.has(to) && !reason) throw badInput(`A transition to ${to} needs a reason.`, 'reason');
  const at = options.at ?? new Date();
  const version = order.version + 1;

  // The version predicate is a second guard next to the row lock: a caller that
  // forgot to lock, or holds a stale row, fails instead of skipping a state.
  const updated = await tx.order.updateManyAndReturn({
    where: { id: order.id, version: order.version, status: from },
    data: { ...options.data, status: to, statusReason: reason, version },
  });
  const row = updated[0];
  if (!row) throw new Error(`Order ${order.id} changed under a transition from ${from} to ${to}; lock it with lockOrder first`);

  await tx.orderTransition.create({
    data: { orderId: order.id, seq: version, fromStatus: from, toStatus: to, reason, actor: actorColumn(options.actor), at },
  });

  const traceContext = options.traceContext ?? {};
  await publishStatusChanged(tx, row, { from, to, reason, at }, traceContext);
  if (to === 'CONFIRMED') await publishConfirmed(tx, row, at, traceContext);
  if (to === 'CANCELLED' || to === 'PAYMENT_FAILED') {
    await publishCancelled(tx, row, { from, to, reason: reason as string, at }, traceContext);
  }
  // Published on the order's live channel once the transaction commits (data/live.ts).
  noteTransition(tx, row, at);
  return row;
}

/** The timeline row of placement (null → PENDING); written with the order itself. */
export const placementTransition = (userId: string, at: Date) => ({
  seq: 1,
  fromStatus: null,
  toStatus: 'PENDING' as const,
  reason: null,
  actor: userId,
  at,
});
