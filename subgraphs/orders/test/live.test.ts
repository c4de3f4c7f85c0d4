/**
 * Live order status: every committed transition is published on
 * live:order:<id> after the commit, and Subscription.orderStatusChanged (a
 * real graphql-ws client against the subgraph, as the router connects) gives
 * the order as it is, then every later status in order, none skipped, and
 * completes after a final status. Only the owner or an admin may follow.
 */
import { randomUUID } from 'node:crypto';
import { redisUrl } from '@commerce/config';
import { liveChannel } from '@commerce/live';
import { eventually, recordSubscription, type RecordedSubscription } from '@commerce/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentAuthorized, StockReserved } from '@commerce/events';
import { RedisOrderLive, toLiveOrder, transactionWithLive, type LiveOrder } from '../src/data/live.js';
import { SYSTEM, transitionOrder } from '../src/service/order-state-machine.js';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  iso,
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

const FIELDS = 'id status statusReason total { amountMinor currency } lines { sku quantity } updatedAt user { id }';
const SUBSCRIPTION = `subscription ($id: ID!) { orderStatusChanged(orderId: $id) { ${FIELDS} } }`;

interface Followed {
  id: string;
  status: string;
  statusReason: string | null;
  total: { amountMinor: number; currency: string };
  lines: { sku: string; quantity: number }[];
  user: { id: string };
}

type Stream = RecordedSubscription<{ orderStatusChanged: Followed }> & { statuses(): string[] };

function follow(orderId: string, token?: string): Stream {
  const stream = recordSubscription<{ orderStatusChanged: Followed }>(
    server.url,
    { query: SUBSCRIPTION, variables: { id: orderId } },
    token ? { token } : {},
  );
  return Object.assign(stream, {
    statuses: () => stream.data().flatMap((data) => (data.orderStatusChanged ? [data.orderStatusChanged.status] : [])),
  });
}

/** Waits (5 s at most) for `probe` to find what it looks for. */
const until = <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => eventually(probe, 5_000, 20);

const subscribers = async (orderId: string): Promise<number> => {
  const [, count] = (await redis.pubsub('NUMSUB', liveChannel.order(orderId))) as [string, number];
  return Number(count);
};

/** The first result: the order as it is; resolves once the subscription is live. */
const started = (stream: Stream) => until(() => (stream.results.length > 0 || stream.done ? true : undefined));

const errorCodes = (stream: Stream): unknown[] => [
  ...stream.errors.flatMap((error) => (Array.isArray(error) ? error : [error])).map((error) => (error as { extensions?: { code?: string } }).extensions?.code),
  ...stream.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
];

const stockReserved = (order: OrderView) =>
  envelope(StockReserved, {
    orderId: order.id,
    reservationId: randomUUID(),
    lines: order.lines.map((line) => ({ variantId: line.variant.id, warehouseId: randomUUID(), quantity: line.quantity })),
    expiresAt: iso(15 * 60_000),
  });
const authorized = (order: OrderView) =>
  envelope(PaymentAuthorized, {
    orderId: order.id,
    paymentId: randomUUID(),
    provider: 'local',
    currency: 'USD',
    amountMinor: order.total.amountMinor,
    authorizedAt: iso(),
  });

describe('publishing', () => {
  it('publishes each committed transition on live:order:<id>, after the commit and in order, and nothing for a rolled-back one', async () => {
    const listener = new Redis(redisUrl());
    const received: LiveOrder[] = [];
    listener.on('message', (_channel: string, message: string) => received.push(JSON.parse(message) as LiveOrder));
    try {
      const order = await placeOrder(server, who.alice);
      await listener.subscribe(liveChannel.order(order.id));
      // The saga as the consumer runs it: PAYMENT_AUTHORIZED and CONFIRMED in one transaction, two messages.
      await transactionWithLive(server.db, live, (tx) => saga.onStockReserved(tx, stockReserved(order), silentLogger));
      await transactionWithLive(server.db, live, (tx) => saga.onPaymentAuthorized(tx, authorized(order), silentLogger));
      // A transaction that fails after transitioning publishes nothing.
      await expect(
        transactionWithLive(server.db, live, async (tx) => {
          const row = await tx.order.findUniqueOrThrow({ where: { id: order.id } });
          await transitionOrder(tx, row, 'FULFILLED', { actor: SYSTEM });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await until(() => (received.length >= 3 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received.map((message) => [message.status, message.version])).toEqual([
        ['STOCK_RESERVED', 2],
        ['PAYMENT_AUTHORIZED', 3],
        ['CONFIRMED', 4],
      ]);
      const [first] = received;
      expect(first).toMatchObject({ __typename: 'Order', id: order.id, userId: who.alice.userId, totalMinor: order.total.amountMinor });
      expect(first).not.toHaveProperty('idempotencyKey');
      expect(typeof first?.publishedAt).toBe('number');
      expect(Date.parse(first?.changedAt ?? '')).toBeLessThanOrEqual(first?.publishedAt ?? 0);
    } finally {
      listener.disconnect();
    }
  });
});

describe('Subscription.orderStatusChanged (graphql-ws)', () => {
  it('gives the order as it is, then every later status in order, and completes after a final status', async () => {
    const order = await placeOrder(server, who.alice);
    const stream = follow(order.id, who.alice.token);
    try {
      await started(stream);
      expect(stream.results[0]?.errors).toBeUndefined();
      expect(stream.results[0]?.data?.orderStatusChanged).toMatchObject({
        id: order.id,
        status: 'PENDING',
        total: order.total,
        lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        user: { id: who.alice.userId },
      });

      await transactionWithLive(server.db, live, (tx) => saga.onStockReserved(tx, stockReserved(order), silentLogger));
      await transactionWithLive(server.db, live, (tx) => saga.onPaymentAuthorized(tx, authorized(order), silentLogger));
      // Admin mutations through the API publish after their own commit.
      await server.ok('mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { id } }', { token: who.admin.token, variables: { id: order.id } });
      await until(() => (stream.results.length >= 5 ? true : undefined));
      expect(stream.statuses()).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED', 'FULFILLED']);
      expect(stream.done).toBe(false);

      await server.ok('mutation ($id: ID!) { cancelOrder(input: { orderId: $id, reason: "lost in the warehouse" }) { id } }', {
        token: who.admin.token,
        variables: { id: order.id },
      });
      await stream.completed;
      expect(stream.statuses().at(-1)).toBe('CANCELLED');
      expect(stream.results.at(-1)?.data?.orderStatusChanged.statusReason).toBe('lost in the warehouse');
      expect(errorCodes(stream)).toEqual([]);
      // Completed: the Redis subscription went with it.
      await until(async () => ((await subscribers(order.id)) === 0 ? true : undefined));
    } finally {
      await stream.close();
    }
  });

  it('fills a lost message from the timeline and skips stale or repeated ones', async () => {
    const order = await placeOrder(server, who.alice);
    const stream = follow(order.id, who.alice.token);
    try {
      await started(stream);
      // STOCK_RESERVED commits but its message is lost (a plain transaction publishes nothing).
      await server.db.$transaction((tx) => saga.onStockReserved(tx, stockReserved(order), silentLogger));
      const stale = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
      await transactionWithLive(server.db, live, (tx) => saga.onPaymentAuthorized(tx, authorized(order), silentLogger));
      await until(() => (stream.results.length >= 4 ? true : undefined));
      // A late duplicate of an older state changes nothing.
      await redis.publish(liveChannel.order(order.id), JSON.stringify(toLiveOrder(stale, stale.updatedAt, Date.now())));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(stream.statuses()).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);
      expect(stream.results[1]?.data?.orderStatusChanged.statusReason).toMatch(/^Stock reserved/);
    } finally {
      await stream.close();
    }
    await until(async () => ((await subscribers(order.id)) === 0 ? true : undefined));
  });

  it('lets an admin follow any order', async () => {
    const order = await placeOrder(server, who.bob);
    const stream = follow(order.id, who.admin.token);
    try {
      await started(stream);
      expect(stream.statuses()).toEqual(['PENDING']);
      expect(errorCodes(stream)).toEqual([]);
    } finally {
      await stream.close();
    }
  });

  it('refuses someone else’s order and unknown ids with FORBIDDEN, and anonymous callers with UNAUTHENTICATED, leaving no subscription behind', async () => {
    const order = await placeOrder(server, who.alice);
    for (const [orderId, token, code] of [
      [order.id, who.bob.token, 'FORBIDDEN'],
      [randomUUID(), who.bob.token, 'FORBIDDEN'],
      ['not-a-uuid', who.alice.token, 'FORBIDDEN'],
      [order.id, undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const stream = follow(orderId, token);
      try {
        await stream.completed;
        expect(stream.results.flatMap((result) => (result.data?.orderStatusChanged ? [result.data.orderStatusChanged] : []))).toEqual([]);
        expect(errorCodes(stream)).toContain(code);
      } finally {
        await stream.close();
      }
    }
    // A refused caller is unsubscribed before the error goes out.
    await until(async () => ((await subscribers(order.id)) === 0 ? true : undefined));
  });
});
