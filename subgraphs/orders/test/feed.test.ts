/**
 * Subscription.orderEvents, the admin feed the console's order list follows:
 * every committed transition of any order (placement included) is published
 * on live:orders next to the order's own channel, and a real graphql-ws
 * client against the subgraph (as the router connects, and as live.test.ts
 * follows one order) receives it as an OrderEvent. Admins only.
 */
import { randomUUID } from 'node:crypto';
import { redisUrl } from '@commerce/config';
import { PaymentAuthorized, StockReserved } from '@commerce/events';
import { eventually, recordSubscription, type RecordedSubscription } from '@commerce/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_FEED_CHANNEL, RedisOrderLive, toLiveOrder, transactionWithLive } from '../src/data/live.js';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  iso,
  PLACE_ORDER,
  placeInput,
  placeOrder,
  silentLogger,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let who: Callers;
let redis: Redis;
/** Publishes like the subgraph's consumer does, for saga transitions made by the test. */
let live: RedisOrderLive;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
  redis = new Redis(redisUrl());
  live = new RedisOrderLive(silentLogger);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await live?.close();
  redis?.disconnect();
  await server?.stop();
});

const FEED = `subscription { orderEvents { kind from to reason actor actedBy { id } at order { id number status email total { amountMinor currency } user { id } } } }`;

interface FeedEvent {
  kind: 'PLACED' | 'STATUS_CHANGED';
  from: string | null;
  to: string;
  reason: string | null;
  actor: string;
  actedBy: { id: string } | null;
  at: string;
  order: { id: string; number: string; status: string; email: string | null; total: { amountMinor: number; currency: string }; user: { id: string } | null };
}

type Feed = RecordedSubscription<{ orderEvents: FeedEvent }>;

/** The events of these orders only: the feed carries every order published on this Redis. */
const eventsOf = (feed: Feed, ...orderIds: string[]): FeedEvent[] =>
  feed.data().flatMap((data) => (data.orderEvents && orderIds.includes(data.orderEvents.order.id) ? [data.orderEvents] : []));

const until = <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => eventually(probe, 5_000, 20);

const errorCodes = (feed: Feed): unknown[] => [
  ...feed.errors.flatMap((error) => (Array.isArray(error) ? error : [error])).map((error) => (error as { extensions?: { code?: string } }).extensions?.code),
  ...feed.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
];

const subscribe = async (token: string | undefined): Promise<Feed> =>
  recordSubscription<{ orderEvents: FeedEvent }>(server.url, { query: FEED }, token ? { token } : {});

/**
 * Waits until a feed is live (Redis confirmed its SUBSCRIBE): a probe message
 * (a copy of a real order's state, with a version never used) is published
 * until the feed delivers it.
 */
async function whenLive(feed: Feed): Promise<void> {
  const probe = await server.db.order.findFirstOrThrow({ orderBy: { id: 'asc' } });
  let version = 1_000_000;
  await until(async () => {
    if (feed.done) throw new Error(`feed ended: ${JSON.stringify(feed.errors)}`);
    if (eventsOf(feed, probe.id).length > 0) return true;
    await redis.publish(ORDER_FEED_CHANNEL, JSON.stringify(toLiveOrder({ ...probe, version: ++version }, probe.updatedAt, Date.now())));
    await new Promise((resolve) => setTimeout(resolve, 30));
    return undefined;
  });
}

describe('Subscription.orderEvents (graphql-ws)', () => {
  it('gives an admin every new order and every status change of any order, with the actor, in order', async () => {
    await placeOrder(server, who.bob); // the probe's order
    const feed = await subscribe(who.admin.token);
    try {
      await whenLive(feed);
      const order = await placeOrder(server, who.alice);
      const { cart, cartToken } = server.carts.addGuestCart();
      const guest = (
        await server.ok<{ placeOrder: OrderView }>(PLACE_ORDER, { variables: { input: placeInput(cart.id, { cartToken, email: 'feed-guest@example.test' }) } })
      ).placeOrder;
      // The saga as the consumer runs it (published after its commit), then admin mutations through the API.
      await transactionWithLive(server.db, live, (tx) =>
        saga.onStockReserved(
          tx,
          envelope(StockReserved, {
            orderId: order.id,
            reservationId: randomUUID(),
            lines: order.lines.map((line) => ({ variantId: line.variant.id, warehouseId: randomUUID(), quantity: line.quantity })),
            expiresAt: iso(900_000),
          }),
          silentLogger,
        ),
      );
      await transactionWithLive(server.db, live, (tx) =>
        saga.onPaymentAuthorized(
          tx,
          envelope(PaymentAuthorized, { orderId: order.id, paymentId: randomUUID(), provider: 'local', currency: 'USD', amountMinor: order.total.amountMinor, authorizedAt: iso() }),
          silentLogger,
        ),
      );
      await server.ok('mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { id } }', { token: who.admin.token, variables: { id: order.id } });
      await server.ok('mutation ($id: ID!) { cancelOrder(input: { orderId: $id, reason: "Duplicate" }) { id } }', {
        token: who.admin.token,
        variables: { id: guest.id },
      });

      await until(() => (eventsOf(feed, order.id, guest.id).length >= 7 ? true : undefined));
      const events = eventsOf(feed, order.id, guest.id);
      expect(events.map((event) => [event.order.id === order.id ? 'alice' : 'guest', event.kind, event.from, event.to, event.order.status])).toEqual([
        ['alice', 'PLACED', null, 'PENDING', 'PENDING'],
        ['guest', 'PLACED', null, 'PENDING', 'PENDING'],
        ['alice', 'STATUS_CHANGED', 'PENDING', 'STOCK_RESERVED', 'STOCK_RESERVED'],
        ['alice', 'STATUS_CHANGED', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'PAYMENT_AUTHORIZED'],
        ['alice', 'STATUS_CHANGED', 'PAYMENT_AUTHORIZED', 'CONFIRMED', 'CONFIRMED'],
        ['alice', 'STATUS_CHANGED', 'CONFIRMED', 'FULFILLED', 'FULFILLED'],
        ['guest', 'STATUS_CHANGED', 'PENDING', 'CANCELLED', 'CANCELLED'],
      ]);
      expect(events[0]).toMatchObject({
        actor: who.alice.userId,
        actedBy: { id: who.alice.userId },
        order: { number: order.number, total: order.total, user: { id: who.alice.userId }, email: order.email },
      });
      expect(events[1]).toMatchObject({ actor: 'guest', actedBy: null, order: { user: null, email: 'feed-guest@example.test' } });
      expect(events[2]).toMatchObject({ actor: 'system', actedBy: null });
      expect(events[5]).toMatchObject({ actor: who.admin.userId, actedBy: { id: who.admin.userId } });
      expect(events[6]).toMatchObject({ actor: who.admin.userId, reason: 'Duplicate' });
      expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
      expect(errorCodes(feed)).toEqual([]);
      expect(feed.done).toBe(false);
    } finally {
      await feed.close();
    }
  });

  it('drops a stale or repeated message of an order (two instances publishing out of order)', async () => {
    const order = await placeOrder(server, who.alice);
    const feed = await subscribe(who.admin.token);
    try {
      await whenLive(feed);
      const placed = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
      await server.ok('mutation ($id: ID!, $reason: String!) { cancelOrder(input: { orderId: $id, reason: $reason }) { id } }', {
        token: who.admin.token,
        variables: { id: order.id, reason: 'Test' },
      });
      await until(() => (eventsOf(feed, order.id).length >= 1 ? true : undefined));
      // The placement arrives late, then the cancellation again: neither goes out.
      const cancelled = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
      await redis.publish(ORDER_FEED_CHANNEL, JSON.stringify(toLiveOrder(placed, placed.placedAt, Date.now(), { from: null, actor: who.alice.userId })));
      await redis.publish(ORDER_FEED_CHANNEL, JSON.stringify(toLiveOrder(cancelled, cancelled.updatedAt, Date.now(), { from: 'PENDING', actor: who.admin.userId })));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(eventsOf(feed, order.id).map((event) => [event.from, event.to])).toEqual([['PENDING', 'CANCELLED']]);
    } finally {
      await feed.close();
    }
  });

  it('refuses customers with FORBIDDEN and anonymous callers with UNAUTHENTICATED', async () => {
    for (const [token, code] of [
      [who.alice.token, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const feed = await subscribe(token);
      try {
        await feed.completed;
        expect(feed.data().filter((data) => data.orderEvents)).toEqual([]);
        expect(errorCodes(feed)).toContain(code);
      } finally {
        await feed.close();
      }
    }
  });
});
