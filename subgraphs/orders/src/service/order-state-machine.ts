/**
 * The order state machine: the one table of allowed transitions, and the one
 * function that performs a transition. Every status change of an order, from
 * a customer, an admin or a saga event, goes through `transitionOrder` (or
 * `transitionOrderThrough` for several at once), so
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
import { changeStatus, lockOrderRow, type TimelineStep } from '../data/queries.js';
import type { OrdersTx } from '../data/prisma.js';
import { publishCancelled, publishConfirmed, publishStatusChanged } from '../events/publish.js';
import { observeSagaStep } from '../metrics.js';

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
export function lockOrder(tx: OrdersTx, orderId: string): Promise<Order | null> {
  return lockOrderRow(tx, orderId);
}

export interface TransitionOptions {
  reason?: string | null;
  actor: Actor;
  traceContext?: TraceCarrier;
  /** The carrier's tracking number, recorded with SHIPPED. */
  trackingNumber?: string;
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
export function transitionOrder(tx: OrdersTx, order: Order, to: OrderStatus, options: TransitionOptions): Promise<Order> {
  const { reason, ...pathOptions } = options;
  return transitionOrderThrough(tx, order, [{ to, reason }], pathOptions);
}

/** One step of a path of transitions. */
export interface TransitionStep {
  to: OrderStatus;
  /** Required into CANCELLED and PAYMENT_FAILED. */
  reason?: string | null | undefined;
}

/**
 * Moves a locked order through several transitions at once (e.g. the saga's
 * PAYMENT_AUTHORIZED then CONFIRMED), as if `transitionOrder` were called for
 * each step: every step is checked against the table, gets its timeline row,
 * its events (in step order) and its live message. It costs one UPDATE (the
 * last step's status, the version advanced by the number of steps) and one
 * multi-row timeline insert however many steps there are. All steps share
 * one time; `options.data` changes with the last step. Returns the updated row.
 */
export async function transitionOrderThrough(
  tx: OrdersTx,
  order: Order,
  steps: readonly TransitionStep[],
  options: Omit<TransitionOptions, 'reason'>,
): Promise<Order> {
  // Every step is checked before anything is written.
  const planned: TimelineStep[] = [];
  let from = order.status;
  let version = order.version;
  for (const step of steps) {
    assertTransition(from, step.to);
    const reason = step.reason?.trim() || null;
    if (CANCELLING.has(step.to) && !reason) throw badInput(`A transition to ${step.to} needs a reason.`, 'reason');
    version += 1;
    planned.push({ from, to: step.to, reason, version });
    from = step.to;
  }
  const last = planned.at(-1);
  if (!last) throw new Error(`No transition given for order ${order.id}`);
  const at = options.at ?? new Date();

  // The version predicate is a second guard next to the row lock: a caller that
  // forgot to lock, or holds a stale row, fails instead of skipping a state.
  const row = await changeStatus(tx, {
    orderId: order.id,
    expectedVersion: order.version,
    expectedStatus: order.status,
    steps: planned,
    actor: actorColumn(options.actor),
    at,
    ...(options.trackingNumber === undefined ? {} : { trackingNumber: options.trackingNumber }),
  });
  if (!row) throw new Error(`Order ${order.id} changed under a transition from ${order.status} to ${last.to}; lock it with lockOrder first`);

  const traceContext = options.traceContext ?? {};
  for (const step of planned) {
    // The order as it stood after this step; only the last step's row exists in the table.
    const state: Order = step === last ? row : { ...order, status: step.to, statusReason: step.reason, version: step.version, updatedAt: at };
    const { from: stepFrom, to, reason } = step;
    await publishStatusChanged(tx, state, { from: stepFrom, to, reason, at }, traceContext);
    observeSagaStep(to, order.placedAt, at);
    if (to === 'CONFIRMED') await publishConfirmed(tx, state, at, traceContext);
    if (to === 'CANCELLED' || to === 'PAYMENT_FAILED') {
      await publishCancelled(tx, state, { from: stepFrom, to, reason: reason as string, at }, traceContext);
    }
    // Published on the order's live channel once the transaction commits (data/live.ts).
    noteTransition(tx, state, at, { from: stepFrom, actor: actorColumn(options.actor) });
  }
  return row;
}
