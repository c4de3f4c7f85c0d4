/**
 * SQL statements per checkout: upper bounds on what each hot path of the
 * checkout sends to the orders database (every statement costs query
 * compilation, a round trip and PostgreSQL work; the checkout benchmark is
 * bound by their number). Counted from the Prisma client's query log. Outbox
 * appends (packages/events) and transaction control are counted apart: they
 * are not this subgraph's statements. Saga reactions run inside the test's
 * own transaction, so the consumer's plumbing (processed_events) is left out.
 */
import { randomUUID } from 'node:crypto';
import { PaymentAuthorized, PaymentCaptured, StockReserved } from '@commerce/events';
import { eventually, ownStatements as own, recordSubscription } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrdersTx } from '../src/data/prisma.js';
import { lockOrder } from '../src/service/order-state-machine.js';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  insertOrder,
  iso,
  outboxRows,
  placeInput,
  silentLogger,
  startTestServer,
  truncateAll,
  type Callers,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let who: Callers;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});


/** The statements `work` sends (awaited to the end, e.g. a GraphQL request). */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const start = server.queries.length;
  await work();
  return server.queries.slice(start);
}

/** The statements a saga reaction sends inside a transaction of the test's own. */
async function reactionStatements(react: (tx: OrdersTx) => Promise<void>): Promise<string[]> {
  let statements: string[] = [];
  await server.db.$transaction(async (tx) => {
    const start = server.queries.length;
    await react(tx);
    statements = server.queries.slice(start);
  });
  return statements;
}

// What the checkout benchmark asks (scripts/bench/checkout/shop.ts).
const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status lines { quantity variant { id } } } }';
const ORDER_STATUS_CHANGED = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';

const stockReserved = (orderId: string) =>
  envelope(StockReserved, {
    orderId,
    reservationId: randomUUID(),
    lines: [{ variantId: randomUUID(), warehouseId: randomUUID(), quantity: 1 }],
    expiresAt: iso(15 * 60_000),
  });
const authorized = (orderId: string, amountMinor: number) =>
  envelope(PaymentAuthorized, { orderId, paymentId: randomUUID(), provider: 'local', currency: 'USD', amountMinor, authorizedAt: iso() });
const captured = (orderId: string, amountMinor: number) =>
  envelope(PaymentCaptured, { orderId, paymentId: randomUUID(), provider: 'local', currency: 'USD', amountMinor, capturedAt: iso() });

async function placeForAlice(): Promise<{ id: string; lines: { quantity: number }[] }> {
  const cart = server.carts.addCart(who.alice.userId);
  const data = await server.ok<{ placeOrder: { id: string; lines: { quantity: number }[] } }>(PLACE_ORDER, {
    token: who.alice.token,
    variables: { input: placeInput(cart.id) },
  });
  return data.placeOrder;
}

describe('statements per checkout', () => {
  it('a whole checkout costs at most 12 statements of its own (22 before)', async () => {
    const counts: Record<string, number> = {};
    let orderId = '';
    const placement = await statementsOf(async () => {
      orderId = (await placeForAlice()).id;
    });
    counts.placeOrder = own(placement).length;

    const subscribing = await statementsOf(async () => {
      const stream = recordSubscription(server.url, { query: ORDER_STATUS_CHANGED, variables: { id: orderId } }, { token: who.alice.token });
      try {
        await eventually(() => (stream.results.length > 0 ? true : undefined), 5_000, 20);
        expect(stream.results[0]?.data).toEqual({ orderStatusChanged: { id: orderId, status: 'PENDING' } });
      } finally {
        await stream.close();
      }
    });
    counts.subscribe = own(subscribing).length;

    const total = (await server.db.order.findUniqueOrThrow({ where: { id: orderId } })).totalMinor;
    counts.stockReserved = own(await reactionStatements((tx) => saga.onStockReserved(tx, stockReserved(orderId), silentLogger))).length;
    counts.paymentAuthorized = own(
      await reactionStatements((tx) => saga.onPaymentAuthorized(tx, authorized(orderId, total), silentLogger)),
    ).length;
    counts.paymentCaptured = own(await reactionStatements((tx) => saga.onPaymentCaptured(tx, captured(orderId, total), silentLogger))).length;

    // Before: placeOrder 7, subscribe 2, stock.reserved 4, payment.authorized 6, payment.captured 3.
    // A transition is one statement: the UPDATE and its timeline rows together; so is
    // placement: the order, its lines and its first timeline row.
    const limits: Record<string, number> = { placeOrder: 2, subscribe: 1, stockReserved: 2, paymentAuthorized: 2, paymentCaptured: 1 };
    const over = Object.entries(counts).filter(([path, count]) => count > (limits[path] ?? 0));
    expect(over, `statements per path: ${JSON.stringify(counts)}`).toEqual([]);
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(8);
    const order = await server.db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(order).toMatchObject({ status: 'CONFIRMED', version: 4, capturedMinor: total });
  });

  it('placeOrder reads nothing back: no re-read of the order, its lines come from the insert', async () => {
    let placed: { id: string; lines: { quantity: number }[] } | undefined;
    const statements = own(
      await statementsOf(async () => {
        placed = await placeForAlice();
      }),
    );
    // The idempotency-key lookup, then one statement inserting the order, its lines and its timeline row.
    expect(statements.length).toBeLessThanOrEqual(2);
    expect(statements.filter((sql) => /^\s*SELECT/i.test(sql))).toHaveLength(1);
    expect(statements.some((sql) => sql.includes('order_lines') && /^\s*SELECT/i.test(sql))).toBe(false);
    expect(placed?.lines.map((line) => line.quantity)).toEqual([1, 2]);
  });

  it('payment.authorized from PENDING is one lock and one statement (UPDATE and timeline) for three transitions, with every event in order', async () => {
    const order = await insertOrder(server.db, { userId: who.alice.userId });
    const statements = own(await reactionStatements((tx) => saga.onPaymentAuthorized(tx, authorized(order.id, order.totalMinor), silentLogger)));
    expect(statements.length).toBeLessThanOrEqual(2);

    const timeline = await server.db.orderTransition.findMany({ where: { orderId: order.id }, orderBy: { seq: 'asc' } });
    expect(timeline.map((row) => [row.seq, row.fromStatus, row.toStatus])).toEqual([
      [1, null, 'PENDING'],
      [2, 'PENDING', 'STOCK_RESERVED'],
      [3, 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'],
      [4, 'PAYMENT_AUTHORIZED', 'CONFIRMED'],
    ]);
    const events = await outboxRows(server.db, order.id);
    expect(events.map((row) => [row.event_type, row.envelope.payload.from ?? null, row.envelope.payload.to ?? null])).toEqual([
      ['order.status_changed', 'PENDING', 'STOCK_RESERVED'],
      ['order.status_changed', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'],
      ['order.status_changed', 'PAYMENT_AUTHORIZED', 'CONFIRMED'],
      ['order.confirmed', null, null],
    ]);
    const after = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after).toMatchObject({ status: 'CONFIRMED', statusReason: null, version: 4 });
  });

  it('lockOrder is one SELECT … FOR UPDATE that returns the row exactly as Prisma reads it', async () => {
    const order = await insertOrder(server.db, { status: 'CONFIRMED', capturedMinor: 1234 });
    await server.db.order.update({
      where: { id: order.id },
      data: { capturedAt: new Date(), trackingNumber: 'TRACK-1', statusReason: 'why', shipLine2: 'Flat 3', discountCode: 'TEN' },
    });
    const expected = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    let locked: unknown;
    const statements = await reactionStatements(async (tx) => {
      locked = await lockOrder(tx, order.id);
    });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FOR UPDATE/);
    expect(locked).toEqual(expected);
    expect(await reactionStatements(async (tx) => expect(await lockOrder(tx, randomUUID())).toBeNull())).toHaveLength(1);
  });
});
