/**
 * The admin feed of every order (Subscription.orderEvents): the console's
 * order list follows it to show new orders and status changes as they commit.
 *
 * How: every committed transition (placement included) is published on
 * `live:orders` as well as on the order's own channel (data/live.ts), with
 * the status it left and its actor. This stream turns each message into an
 * OrderEvent. Per order, events go out in order and never twice: a message
 * whose version is not newer than the last one sent for its order is dropped
 * (two instances may publish out of order; the newest state wins). Unlike
 * orderStatusChanged there is no initial state and no gap filling: the
 * console reads its list with `orders` when it (re)subscribes, and a lost
 * message only delays a row until the next change of that order.
 *
 * Access: admins only (permissions.ts, checked again here). Every Order
 * field keeps its rule. Cost: one Redis channel per process, whatever the
 * number of subscribers; each event is resolved per subscriber with a fresh
 * context (the kit), so an event's fields cost what a query for one order does.
 */
import { isAdmin } from '@commerce/auth';
import { forbidden } from '@commerce/errors';
import type { LiveIterator } from '@commerce/live';
import type { OrdersContext } from '../context.js';
import type { OrderStatus } from '../generated/prisma/client.js';
import type { LiveOrder } from '../data/live.js';

export type OrderEventKind = 'PLACED' | 'STATUS_CHANGED';

/** One event as Subscription.orderEvents yields it; `order` is read like an Order row. */
export interface OrderEventView {
  kind: OrderEventKind;
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string | null;
  actor: string;
  at: string;
  order: LiveOrder;
}

/** Orders whose last version is remembered per subscriber; the oldest are forgotten beyond it. */
const REMEMBERED_ORDERS = 10_000;

/** The event a feed message stands for. */
export function toOrderEvent(message: LiveOrder): OrderEventView {
  const from = message.changedFrom ?? null;
  return {
    kind: from === null && message.version === 1 ? 'PLACED' : 'STATUS_CHANGED',
    from,
    to: message.status,
    reason: message.statusReason,
    actor: message.changedBy ?? 'system',
    at: message.changedAt,
    order: message,
  };
}

/** Admins: every order's changes from now on (see the top of this file). */
export async function followOrderFeed(ctx: OrdersContext): Promise<AsyncIterableIterator<OrderEventView>> {
  if (!ctx.identity || !isAdmin(ctx.identity)) throw forbidden();
  if (!ctx.live) throw new Error('Live order updates are turned off in this subgraph');
  return new OrderFeedStream(await ctx.live.subscribeFeed());
}

/** A hand-written iterator, so `return()` ends a `next()` that waits for Redis at once (as OrderStatusStream). */
class OrderFeedStream implements AsyncIterableIterator<OrderEventView> {
  readonly #events: LiveIterator<LiveOrder>;
  /** The last version sent per order, in insertion order (oldest first) to forget the oldest. */
  readonly #versions = new Map<string, number>();
  #done = false;

  constructor(events: LiveIterator<LiveOrder>) {
    this.#events = events;
  }

  async next(): Promise<IteratorResult<OrderEventView>> {
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      const step = await this.#events.next();
      if (step.done || this.#done) return this.return();
      const message = step.value;
      if (typeof message?.id !== 'string' || typeof message.version !== 'number') continue;
      const last = this.#versions.get(message.id);
      if (last !== undefined && message.version <= last) continue;
      this.#versions.delete(message.id);
      this.#versions.set(message.id, message.version);
      if (this.#versions.size > REMEMBERED_ORDERS) this.#versions.delete(this.#versions.keys().next().value ?? '');
      return { value: toOrderEvent(message), done: false };
    }
  }

  async return(): Promise<IteratorResult<OrderEventView>> {
    if (!this.#done) {
      this.#done = true;
      this.#versions.clear();
      await this.#events.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<OrderEventView>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<OrderEventView> {
    return this;
  }
}
