/**
 * The saga over real Kafka: the subgraph runs its consumer (a group of its
 * own, so other runs' offsets do not matter) and its outbox relay. Events are
 * produced the way the other subgraphs' relays produce them: JSON envelopes
 * keyed by order id on commerce.stock / commerce.payment.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl, kafkaBrokers } from '@commerce/config';
import {
  OrderCancelled,
  OrderPlaced,
  OrderStatusChanged,
  PaymentAuthorized,
  PaymentCaptured,
  StockReservationExpired,
  StockReservationFailed,
  StockReserved,
  UserDeleted,
  type AnyEventDefinition,
  type EventEnvelope,
} from '@commerce/events';
import { eventually, KafkaTopicReader } from '@commerce/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersPrisma } from '../src/data/prisma.js';
import {
  callers,
  envelope,
  eventTypes,
  iso,
  outboxRows,
  placeOrder,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
  type TestServer,
} from './helpers.js';

const group = `orders-test-${randomUUID()}`;
let server: TestServer;
let who: Callers;
let producer: Producer;
/** Readers of the topics the orders subgraph publishes on, by topic (order.status_changed may have its own). */
const orderTopics = new Map<string, KafkaTopicReader>();

beforeAll(async () => {
  server = await startTestServer({ consumers: true, consumerGroup: group, relay: true });
  await truncateAll(server.db);
  who = await callers();
  const kafka = new Kafka({ clientId: 'orders-test-producer', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  for (const topic of new Set([OrderPlaced.topic, OrderStatusChanged.topic, OrderCancelled.topic])) {
    const reader = new KafkaTopicReader(topic);
    orderTopics.set(topic, reader);
    await reader.start();
  }
});

afterAll(async () => {
  await producer?.disconnect();
  for (const reader of orderTopics.values()) await reader.stop();
  await server?.stop();
  // The consumer has stopped: nothing writes any more.
  const db = createOrdersPrisma({ databaseUrl: databaseUrl('orders', 'test') });
  await truncateAll(db);
  await db.$disconnect();
});

/** Produces envelopes as a relay does: keyed by aggregate id, with the event headers. */
async function produce(definition: AnyEventDefinition, ...envelopes: EventEnvelope[]): Promise<void> {
  await producer.send({
    topic: definition.topic,
    acks: -1,
    messages: envelopes.map((event) => ({
      key: event.aggregateId,
      value: JSON.stringify(event),
      headers: { 'event-id': event.eventId, 'event-type': event.type, 'event-version': String(event.version), 'content-type': 'application/json' },
    })),
  });
}

const processed = async (eventId: string): Promise<boolean> =>
  (await server.db.processedEvent.count({ where: { consumer: group, eventId } })) === 1;

const stockReserved = (order: OrderView) =>
  envelope(StockReserved, {
    orderId: order.id,
    reservationId: randomUUID(),
    lines: order.lines.map((line) => ({ variantId: line.variant.id, warehouseId: randomUUID(), quantity: line.quantity })),
    expiresAt: iso(900_000),
  });
const paymentRef = (order: OrderView) => ({ orderId: order.id, paymentId: randomUUID(), provider: 'local' });

describe('saga consumer', () => {
  it('confirms an order when payment.authorized arrives before stock.reserved, and publishes through the relay', async () => {
    const order = await placeOrder(server, who.alice);
    const authorized = envelope(PaymentAuthorized, { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor, authorizedAt: iso() });
    await produce(PaymentAuthorized, authorized);
    await eventually(async () => ((await server.db.order.findUniqueOrThrow({ where: { id: order.id } })).status === 'CONFIRMED' ? true : undefined), 30_000);
    const reserved = stockReserved(order);
    await produce(StockReserved, reserved);
    await eventually(async () => ((await processed(reserved.eventId)) ? true : undefined), 30_000);

    const timeline = await server.db.orderTransition.findMany({ where: { orderId: order.id }, orderBy: { seq: 'asc' } });
    expect(timeline.map((row) => row.toStatus)).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);

    // The relay put every outbox event of the order on its topic, in order, keyed by the order id.
    const outbox = await outboxRows(server.db, order.id);
    expect(outbox).toHaveLength(6);
    expect(outbox.filter((row) => !orderTopics.has(row.topic))).toEqual([]);
    for (const [topic, reader] of orderTopics) {
      const expected = outbox.filter((row) => row.topic === topic).map((row) => row.event_type);
      const published = await eventually(async () => {
        const messages = reader.matching((value) => value.aggregateId === order.id);
        return messages.length >= expected.length ? messages : undefined;
      }, 30_000);
      expect(published.map((message) => message.headers['event-type'])).toEqual(expected);
      expect(published.every((message) => message.key === order.id)).toBe(true);
    }
  });

  it('a redelivered event has no second effect', async () => {
    const order = await placeOrder(server, who.alice);
    const reserved = stockReserved(order);
    const authorized = envelope(PaymentAuthorized, { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor, authorizedAt: iso() });
    await produce(StockReserved, reserved);
    await produce(PaymentAuthorized, authorized);
    await eventually(async () => ((await processed(authorized.eventId)) && (await processed(reserved.eventId)) ? true : undefined), 30_000);
    const events = await eventTypes(server.db, order.id);
    const transitions = await server.db.orderTransition.count({ where: { orderId: order.id } });

    // Kafka delivers at least once: the same envelopes again, then a marker on each partition to know they were read.
    await produce(StockReserved, reserved, reserved);
    await produce(PaymentAuthorized, authorized);
    const stockMarker = envelope(StockReservationExpired, { orderId: order.id, reservationId: reserved.payload.reservationId, expiredAt: iso() });
    const paymentMarker = envelope(PaymentCaptured, { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor, capturedAt: iso() });
    await produce(StockReservationExpired, stockMarker);
    await produce(PaymentCaptured, paymentMarker);
    await eventually(async () => ((await processed(stockMarker.eventId)) && (await processed(paymentMarker.eventId)) ? true : undefined), 30_000);

    const after = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe('CONFIRMED');
    expect(after.capturedMinor).toBe(order.total.amountMinor);
    expect(await server.db.orderTransition.count({ where: { orderId: order.id } })).toBe(transitions);
    expect(await eventTypes(server.db, order.id)).toEqual(events);
    expect(await server.db.processedEvent.count({ where: { consumer: group, eventId: { in: [reserved.eventId, authorized.eventId] } } })).toBe(2);
  });

  it('cancels on stock.reservation_failed and publishes order.cancelled', async () => {
    const order = await placeOrder(server, who.bob);
    const failed = envelope(StockReservationFailed, {
      orderId: order.id,
      reason: 'insufficient stock',
      shortages: [{ variantId: order.lines[1]!.variant.id, requested: order.lines[1]!.quantity, available: 1 }],
    });
    await produce(StockReservationFailed, failed);
    const cancelled = await eventually(
      async () => orderTopics.get(OrderCancelled.topic)?.matching((value) => value.aggregateId === order.id && value.type === 'order.cancelled')[0],
      30_000,
    );
    expect(JSON.parse(cancelled.value).payload).toMatchObject({
      orderId: order.id,
      from: 'PENDING',
      to: 'CANCELLED',
      reason: `Out of stock: ${order.lines[1]!.sku} (requested ${order.lines[1]!.quantity}, available 1)`,
    });
  });

  it('detaches a deleted account’s orders on user.deleted from commerce.user, once (redelivery changes nothing)', async () => {
    const order = await placeOrder(server, who.bob);
    const deletedAt = new Date(Date.now() - 5_000);
    const event = { ...envelope(UserDeleted, { userId: who.bob.userId, deletedAt: deletedAt.toISOString() }), aggregateId: who.bob.userId };
    await produce(UserDeleted, event);
    await eventually(async () => ((await processed(event.eventId)) ? true : undefined), 30_000);
    const detached = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(detached).toMatchObject({ userId: null, email: null, accountDeletedAt: deletedAt, status: order.status });

    await produce(UserDeleted, event);
    const marker = { ...envelope(UserDeleted, { userId: randomUUID(), deletedAt: iso() }), aggregateId: who.bob.userId };
    await produce(UserDeleted, marker);
    await eventually(async () => ((await processed(marker.eventId)) ? true : undefined), 30_000);
    expect(await server.db.order.findUniqueOrThrow({ where: { id: order.id } })).toEqual(detached);
    expect(await server.db.processedEvent.count({ where: { consumer: group, eventId: event.eventId } })).toBe(1);
  });
});
