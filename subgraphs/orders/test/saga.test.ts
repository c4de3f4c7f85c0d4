/**
 * The saga reactions, called the way the consumer calls them (one
 * transaction per event), on orders placed through the API. The Kafka path
 * itself is covered by consumer.test.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentFailed,
  PaymentRefunded,
  StockReservationExpired,
  StockReservationFailed,
  StockReserved,
} from '@commerce/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  eventTypes,
  handle,
  iso,
  outboxRows,
  placeOrder,
  readOrder,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
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

const stockReserved = (order: OrderView) =>
  envelope(StockReserved, {
    orderId: order.id,
    reservationId: randomUUID(),
    lines: order.lines.map((line) => ({ variantId: line.variant.id, warehouseId: randomUUID(), quantity: line.quantity })),
    expiresAt: iso(15 * 60_000),
  });
const paymentRef = (order: OrderView) => ({ orderId: order.id, paymentId: randomUUID(), provider: 'local' });
const authorized = (order: OrderView) =>
  envelope(PaymentAuthorized, { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor, authorizedAt: iso() });
const failed = (order: OrderView) =>
  envelope(PaymentFailed, { ...paymentRef(order), reason: 'Your card was declined.', declineCode: 'insufficient_funds', failedAt: iso() });
const captured = (order: OrderView) =>
  envelope(PaymentCaptured, { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor, capturedAt: iso() });
const expired = (order: OrderView) => envelope(StockReservationExpired, { orderId: order.id, reservationId: randomUUID(), expiredAt: iso() });
const reservationFailed = (order: OrderView) =>
  envelope(StockReservationFailed, {
    orderId: order.id,
    reason: 'insufficient stock',
    shortages: [{ variantId: order.lines[0]!.variant.id, requested: order.lines[0]!.quantity, available: 0 }],
  });

const statusOf = async (id: string): Promise<string> => (await server.db.order.findUniqueOrThrow({ where: { id } })).status;
const timelineOf = async (id: string): Promise<string[]> =>
  (await server.db.orderTransition.findMany({ where: { orderId: id }, orderBy: { seq: 'asc' } })).map(
    (row) => `${row.fromStatus ?? 'null'}→${row.toStatus}`,
  );

async function confirmed(): Promise<OrderView> {
  const order = await placeOrder(server, who.alice);
  await handle(server.db, saga.onStockReserved, stockReserved(order));
  await handle(server.db, saga.onPaymentAuthorized, authorized(order));
  return order;
}

describe('stock.reserved', () => {
  it('moves a PENDING order to STOCK_RESERVED, once', async () => {
    const order = await placeOrder(server, who.alice);
    const event = stockReserved(order);
    await handle(server.db, saga.onStockReserved, event);
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    expect(await statusOf(order.id)).toBe('STOCK_RESERVED');
    expect(await timelineOf(order.id)).toEqual(['null→PENDING', 'PENDING→STOCK_RESERVED']);
    const view = await readOrder(server, who.alice, order.id);
    expect(view.timeline[1]).toMatchObject({ from: 'PENDING', to: 'STOCK_RESERVED', actor: 'system' });
    expect(view.timeline[1]!.reason).toContain(event.payload.reservationId);
  });
});

describe('payment.authorized', () => {
  it('confirms a STOCK_RESERVED order through PAYMENT_AUTHORIZED in one transaction and emits order.confirmed', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    await handle(server.db, saga.onPaymentAuthorized, authorized(order));
    expect(await statusOf(order.id)).toBe('CONFIRMED');
    expect(await timelineOf(order.id)).toEqual([
      'null→PENDING',
      'PENDING→STOCK_RESERVED',
      'STOCK_RESERVED→PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED→CONFIRMED',
    ]);
    expect(await eventTypes(server.db, order.id)).toEqual([
      'order.placed',
      'order.status_changed',
      'order.status_changed',
      'order.status_changed',
      'order.status_changed',
      'order.confirmed',
    ]);
    const [confirmedEvent] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.confirmed');
    expect(confirmedEvent?.envelope.payload).toMatchObject({ orderId: order.id, userId: who.alice.userId, currency: 'USD', totalMinor: order.total.amountMinor });
  });

  it('arriving before stock.reserved passes through STOCK_RESERVED; the late stock.reserved is then a no-op', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onPaymentAuthorized, authorized(order));
    expect(await statusOf(order.id)).toBe('CONFIRMED');
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    expect(await statusOf(order.id)).toBe('CONFIRMED');
    expect(await timelineOf(order.id)).toEqual([
      'null→PENDING',
      'PENDING→STOCK_RESERVED',
      'STOCK_RESERVED→PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED→CONFIRMED',
    ]);
    expect((await eventTypes(server.db, order.id)).filter((type) => type === 'order.confirmed')).toHaveLength(1);
  });

  it('a second authorization for a confirmed order changes nothing', async () => {
    const order = await confirmed();
    const before = await eventTypes(server.db, order.id);
    await handle(server.db, saga.onPaymentAuthorized, authorized(order));
    expect(await eventTypes(server.db, order.id)).toEqual(before);
  });
});

describe('payment.failed', () => {
  it('moves the order to PAYMENT_FAILED and emits order.cancelled {to: PAYMENT_FAILED, from}', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    await handle(server.db, saga.onPaymentFailed, failed(order));
    const after = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe('PAYMENT_FAILED');
    expect(after.statusReason).toBe('Payment failed: Your card was declined. (insufficient_funds)');
    const cancelled = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled.map((row) => row.envelope.payload)).toEqual([
      expect.objectContaining({ orderId: order.id, from: 'STOCK_RESERVED', to: 'PAYMENT_FAILED', reason: after.statusReason }),
    ]);
  });

  it('before stock.reserved, passes through STOCK_RESERVED so inventory releases the reservation', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onPaymentFailed, failed(order));
    expect(await timelineOf(order.id)).toEqual(['null→PENDING', 'PENDING→STOCK_RESERVED', 'STOCK_RESERVED→PAYMENT_FAILED']);
    const [cancelled] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled?.envelope.payload).toMatchObject({ from: 'STOCK_RESERVED', to: 'PAYMENT_FAILED' });
  });
});

describe('stock.reservation_failed', () => {
  it('cancels a PENDING order with the shortages as the reason', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onStockReservationFailed, reservationFailed(order));
    const after = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe('CANCELLED');
    expect(after.statusReason).toBe(`Out of stock: ${order.lines[0]!.sku} (requested ${order.lines[0]!.quantity}, available 0)`);
    const [cancelled] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled?.envelope.payload).toMatchObject({ from: 'PENDING', to: 'CANCELLED', reason: after.statusReason });
  });

  it('cancels a CONFIRMED order whose reservation could not be taken again (payments refunds or voids on order.cancelled)', async () => {
    const order = await confirmed();
    await handle(server.db, saga.onStockReservationFailed, reservationFailed(order));
    expect(await statusOf(order.id)).toBe('CANCELLED');
    const [cancelled] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled?.envelope.payload).toMatchObject({ from: 'CONFIRMED', to: 'CANCELLED' });
  });
});

describe('stock.reservation_expired', () => {
  it('cancels an order that is not confirmed yet and emits order.cancelled', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    await handle(server.db, saga.onStockReservationExpired, expired(order));
    const after = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe('CANCELLED');
    expect(after.statusReason).toMatch(/reservation expired/);
    const [cancelled] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled?.envelope.payload).toMatchObject({ from: 'STOCK_RESERVED', to: 'CANCELLED' });
  });

  it('leaves a CONFIRMED order alone', async () => {
    const order = await confirmed();
    const before = await eventTypes(server.db, order.id);
    await handle(server.db, saga.onStockReservationExpired, expired(order));
    expect(await statusOf(order.id)).toBe('CONFIRMED');
    expect(await eventTypes(server.db, order.id)).toEqual(before);
  });
});

describe('payment.captured and payment.refunded', () => {
  it('records the capture; a refund of our request settles it; the full amount makes the order REFUNDED', async () => {
    const order = await confirmed();
    const capture = captured(order);
    await handle(server.db, saga.onPaymentCaptured, capture);
    const view = await readOrder(server, who.alice, order.id);
    expect(view.capturedAmount.amountMinor).toBe(order.total.amountMinor);
    expect(view.capturedAt).toBe(capture.payload.capturedAt);
    expect(view.status).toBe('CONFIRMED');

    // A request written the way refundOrder writes it (admin.test.ts covers the mutation).
    const request = await server.db.refundRequest.create({
      data: { orderId: order.id, amountMinor: order.total.amountMinor, currency: 'USD', restock: false, reason: 'test', requestedBy: who.admin.userId },
    });
    const refund = envelope(PaymentRefunded, {
      ...paymentRef(order),
      refundRequestId: request.id,
      refundId: 're_1',
      currency: 'USD',
      amountMinor: order.total.amountMinor,
      refundedTotalMinor: order.total.amountMinor,
      refundedAt: iso(),
    });
    await handle(server.db, saga.onPaymentRefunded, refund);
    await handle(server.db, saga.onPaymentRefunded, { ...refund, eventId: randomUUID() });
    const after = await readOrder(server, who.alice, order.id);
    expect(after.status).toBe('REFUNDED');
    expect(after.refundedAmount.amountMinor).toBe(order.total.amountMinor);
    expect(after.refunds).toEqual([expect.objectContaining({ id: request.id, status: 'SUCCEEDED' })]);
    const types = await eventTypes(server.db, order.id);
    expect(types.filter((type) => type === 'order.refunded')).toHaveLength(1);
    expect(types.at(-1)).toBe('order.status_changed');
  });
});

describe('final states', () => {
  it('ignore late events: a cancelled order stays cancelled and emits nothing more', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onStockReservationFailed, reservationFailed(order));
    const before = await eventTypes(server.db, order.id);
    await handle(server.db, saga.onStockReserved, stockReserved(order));
    await handle(server.db, saga.onPaymentAuthorized, authorized(order));
    await handle(server.db, saga.onPaymentFailed, failed(order));
    await handle(server.db, saga.onStockReservationExpired, expired(order));
    await handle(server.db, saga.onStockReservationFailed, reservationFailed(order));
    expect(await statusOf(order.id)).toBe('CANCELLED');
    expect(await eventTypes(server.db, order.id)).toEqual(before);
    expect(await timelineOf(order.id)).toEqual(['null→PENDING', 'PENDING→CANCELLED']);
  });

  it('a PAYMENT_FAILED order ignores a late authorization', async () => {
    const order = await placeOrder(server, who.alice);
    await handle(server.db, saga.onPaymentFailed, failed(order));
    await handle(server.db, saga.onPaymentAuthorized, authorized(order));
    expect(await statusOf(order.id)).toBe('PAYMENT_FAILED');
  });

  it('events for unknown orders are skipped without error', async () => {
    const ghost = { id: randomUUID(), lines: [{ variant: { id: randomUUID() }, quantity: 1, sku: 'X' }], total: { amountMinor: 1 } } as unknown as OrderView;
    await handle(server.db, saga.onStockReserved, stockReserved(ghost));
    await handle(server.db, saga.onPaymentAuthorized, authorized(ghost));
    await handle(server.db, saga.onPaymentCaptured, captured(ghost));
  });
});
