/**
 * Live order status over Redis pub/sub (@commerce/live).
 *
 * Publishing: every status transition (placement included) is published on
 * `liveChannel.order(orderId)` right after the transaction that made it
 * commits, never before: `transactionWithLive` runs the transaction, the
 * state machine notes each transition on the transaction (`noteTransition`),
 * and once the commit has returned the notes are published one by one, in
 * the order they were made. A rolled-back transaction publishes nothing.
 * Publishing happens in the process that made the change (a request or the
 * saga consumer), not through Kafka: it costs one Redis round trip and no
 * relay or consumer hop, and Redis fans the message out to every instance
 * holding a subscriber.
 *
 * A message is the order row right after the transition (as JSON: dates are
 * ISO strings, which DateTime serializes as is; the idempotency key is left
 * out), so subscribers resolve their fields without reading the row again,
 * plus `changedAt` (the transition's time) and `publishedAt` (epoch ms taken
 * after the commit, just before PUBLISH; benchmarks measure from it).
 *
 * Pub/sub is at-most-once and two transactions on different instances may
 * publish out of order; the subscriber side (service/order-live.service.ts)
 * restores order and fills gaps from the timeline, using the row's `version`
 * (+1 per transition, equal to the timeline row's `seq`).
 *
 * The same message also goes to the admin feed `ORDER_FEED_CHANNEL`
 * (`live:orders`), every order's transitions on one channel, which
 * Subscription.orderEvents follows (service/order-feed.service.ts). The two
 * PUBLISHes of a transition are sent together (one round trip); the messages
 * carry `changedFrom` and `changedBy` (the transition's from status and actor)
 * for the feed.
 */
import { redisUrl as configuredRedisUrl } from '@commerce/config';
import { createLivePublisher, liveChannel, subscribeLiveReady, type LiveIterator, type LivePublisher } from '@commerce/live';
import type { Logger } from '@commerce/observability';
import type { Order, OrderLine } from '../generated/prisma/client.js';
import type { OrdersPrisma, OrdersTx } from './prisma.js';

/** An order as published and as the subscription yields it (dates as ISO strings). */
/**
 * On states a live stream yields: the order's lines, loaded once per order
 * and process for every subscriber (lines never change after placement, in
 * anything the schema shows), instead of once per subscriber and event.
 */
export const SHARED_LINES: unique symbol = Symbol('sharedLines');

export type LiveOrder = Omit<Order, 'idempotencyKey' | 'placedAt' | 'updatedAt' | 'capturedAt'> & {
  __typename: 'Order';
  placedAt: string;
  updatedAt: string;
  capturedAt: string | null;
  /** When the transition happened (its timeline row's `at`). */
  changedAt: string;
  /** Epoch ms right after the commit, just before PUBLISH (0 for states read from the database). */
  publishedAt: number;
  /** The status the transition left (null for placement); absent on states read from the database. */
  changedFrom?: Order['status'] | null;
  /** The transition's actor: "system", "guest" or a user id; absent on states read from the database. */
  changedBy?: string;
  /** Set by the subscription stream, never published. */
  [SHARED_LINES]?: () => Promise<OrderLine[]>;
};

/** Every order's transitions, for the admin feed (Subscription.orderEvents). */
export const ORDER_FEED_CHANNEL = 'live:orders';

/** What a transition was: the status it left (null for placement) and who made it (the timeline's actor). */
export interface TransitionFacts {
  from: Order['status'] | null;
  actor: string;
}

/** The JSON shape of an order row (without its idempotency key). */
export function toLiveOrder(order: Order, changedAt: Date, publishedAt = 0, facts?: TransitionFacts): LiveOrder {
  const { idempotencyKey: _key, placedAt, updatedAt, capturedAt, ...rest } = order;
  return {
    __typename: 'Order',
    ...rest,
    placedAt: placedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    capturedAt: capturedAt?.toISOString() ?? null,
    changedAt: changedAt.toISOString(),
    publishedAt,
    ...(facts ? { changedFrom: facts.from, changedBy: facts.actor } : {}),
  };
}

interface NotedTransition {
  order: Order;
  at: Date;
  facts: TransitionFacts;
}

/** Transitions made in a transaction run by transactionWithLive, by transaction client. */
const notes = new WeakMap<object, NotedTransition[]>();

/**
 * Called by the state machine for each transition (and by placement): noted
 * on the transaction, published once it commits. A transaction not started by
 * transactionWithLive (e.g. a test's own) publishes nothing.
 */
export function noteTransition(tx: OrdersTx, order: Order, at: Date, facts: TransitionFacts): void {
  notes.get(tx)?.push({ order, at, facts });
}

export interface OrderLive {
  /** Publishes transitions in order; failures are logged, never thrown (the change has committed). */
  publish(transitions: readonly NotedTransition[]): Promise<void>;
  /** Messages on one order's channel from now on; resolves once Redis confirmed the SUBSCRIBE. */
  subscribe(orderId: string): Promise<LiveIterator<LiveOrder>>;
  /** Every order's messages (the admin feed) from now on; resolves once Redis confirmed the SUBSCRIBE. */
  subscribeFeed(): Promise<LiveIterator<LiveOrder>>;
  close(): Promise<void>;
}

export class RedisOrderLive implements OrderLive {
  readonly #redisUrl: string;
  readonly #logger: Logger;
  #publisher: LivePublisher | undefined;

  constructor(logger: Logger, redisUrl: string = configuredRedisUrl()) {
    this.#redisUrl = redisUrl;
    this.#logger = logger;
  }

  async publish(transitions: readonly NotedTransition[]): Promise<void> {
    this.#publisher ??= createLivePublisher(this.#redisUrl);
    for (const { order, at, facts } of transitions) {
      try {
        const message = toLiveOrder(order, at, Date.now(), facts);
        // Sent together on one connection: one round trip, and each channel keeps the transitions' order.
        await Promise.all([this.#publisher.publish(liveChannel.order(order.id), message), this.#publisher.publish(ORDER_FEED_CHANNEL, message)]);
      } catch (error) {
        // Subscribers fill the gap from the timeline when the next transition arrives.
        this.#logger.warn({ err: error, orderId: order.id, status: order.status }, 'live order update not published');
      }
    }
  }

  subscribe(orderId: string): Promise<LiveIterator<LiveOrder>> {
    // A subscriber never needs more than the transitions an order can make.
    return subscribeLiveReady<LiveOrder>(liveChannel.order(orderId), { redisUrl: this.#redisUrl, bufferSize: 100 });
  }

  subscribeFeed(): Promise<LiveIterator<LiveOrder>> {
    // A console that falls this far behind loses the oldest messages; it re-reads its list on reconnect anyway.
    return subscribeLiveReady<LiveOrder>(ORDER_FEED_CHANNEL, { redisUrl: this.#redisUrl, bufferSize: 1000 });
  }

  async close(): Promise<void> {
    await this.#publisher?.close();
    this.#publisher = undefined;
  }
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/**
 * `prisma.$transaction(fn)`, then — only once it has committed — publishes
 * the transitions the transaction made. Use it for every transaction that
 * may move an order (requests, and the saga consumer through liveRunner).
 */
export async function transactionWithLive<R>(
  prisma: OrdersPrisma,
  live: OrderLive | undefined,
  fn: (tx: OrdersTx) => Promise<R>,
  options?: TransactionOptions,
): Promise<R> {
  const made: NotedTransition[] = [];
  const result = await prisma.$transaction(async (tx) => {
    made.length = 0; // a transaction function is run once, but be exact if it ever runs again
    notes.set(tx, made);
    return fn(tx);
  }, options);
  if (made.length > 0 && live) await live.publish(made);
  return result;
}

/** What the events consumer runs its transactions with: Prisma's $transaction plus the live publish after commit. */
export function liveRunner(prisma: OrdersPrisma, live: OrderLive | undefined) {
  return {
    $transaction: <R>(fn: (tx: OrdersTx) => Promise<R>, options?: TransactionOptions): Promise<R> =>
      transactionWithLive(prisma, live, fn, options),
  };
}
