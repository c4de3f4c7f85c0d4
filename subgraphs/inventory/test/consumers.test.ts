/**
 * Inventory's consumers on real Kafka: product and order events produced to
 * per-run copies of the order and product topics (so nothing else in the
 * shared broker reads them), consumed by the subgraph's own consumer group.
 * Includes a crash after the reservation but before the commit: the retry
 * must not reserve twice.
 */
import { randomUUID } from 'node:crypto';
import { kafkaBrokers } from '@commerce/config';
import {
  createEventRegistry,
  eventDefinitions,
  TOPICS,
  type DomainEventDefinition,
  type EventEnvelope,
  type EventRegistry,
} from '@commerce/events';
import { eventually as eventuallyWithin } from '@commerce/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MAX_UNITS, DEMO_MIN_UNITS, demoInitialStock } from '../src/service/initial-stock.js';
import {
  BERLIN,
  NEWARK,
  deliver,
  envelope,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  orderRefunded,
  outboxRows,
  productSnapshot,
  reservationOf,
  setStock,
  startTestServer,
  stockRows,
  totals,
  truncateAll,
  type TestServer,
} from './helpers.js';

const run = randomUUID().slice(0, 8);
const orderTopic = `${TOPICS.order}.test-${run}`;
const productTopic = `${TOPICS.product}.test-${run}`;
const topics = [orderTopic, productTopic, `${orderTopic}.dlq`, `${productTopic}.dlq`];

/** Every definition, with order and product events moved to this run's topics. */
const registry = createEventRegistry(
  eventDefinitions.map((definition) => {
    if (definition.topic === TOPICS.order) return { ...definition, topic: orderTopic };
    if (definition.topic === TOPICS.product) return { ...definition, topic: productTopic };
    return definition;
  }),
) as unknown as EventRegistry<DomainEventDefinition>;

const kafka = new Kafka({ clientId: `inventory-test-${run}`, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
let admin: Admin;
let producer: Producer;
let server: TestServer;

/** Orders whose reservation crashes once, right after the stock was held and the events appended. */
const crashOnce = new Set<string>();
const reserveAttempts = new Map<string, number>();

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  producer = kafka.producer();
  await producer.connect();

  server = await startTestServer({
    consumers: { registry, group: `inventory-test-${run}` },
    hooks: {
      afterReserve(orderId) {
        reserveAttempts.set(orderId, (reserveAttempts.get(orderId) ?? 0) + 1);
        if (crashOnce.delete(orderId)) throw new Error(`simulated crash after reserving ${orderId}`);
      },
    },
  });
  await truncateAll(server.db);
  expect(await server.runtime.consumers).toBeDefined();
});

afterAll(async () => {
  if (server) {
    await (await server.runtime.consumers)?.stop();
    await truncateAll(server.db);
    await server.stop();
  }
  await producer?.disconnect();
  await admin?.deleteTopics({ topics }).catch(() => undefined);
  await admin?.disconnect();
});

/** Waits for the consumer; generous, the broker and the machine are shared. */
const eventually = <T>(probe: () => Promise<T | undefined>): Promise<T> => eventuallyWithin(probe, 30_000);

async function publish(event: EventEnvelope, topic: string): Promise<void> {
  await producer.send({ topic, messages: [{ key: event.aggregateId, value: JSON.stringify(event) }] });
}

describe('consuming product events', () => {
  it('keeps the variant read model and creates zero stock in every warehouse', async () => {
    const snapshot = productSnapshot(2);
    await publish(envelope('product.created', snapshot, snapshot.productId), productTopic);
    const [first, second] = snapshot.variants.map((v) => v.variantId) as [string, string];

    const variants = await eventually(async () => {
      const rows = await server.db.variant.findMany({ where: { productId: snapshot.productId }, orderBy: { id: 'asc' } });
      return rows.length === 2 ? rows : undefined;
    });
    expect(variants.map((v) => v.sku).sort()).toEqual(snapshot.variants.map((v) => v.sku).sort());
    expect(await stockRows(server.db, first)).toEqual([
      { warehouseId: NEWARK, onHand: 0, reserved: 0 },
      { warehouseId: BERLIN, onHand: 0, reserved: 0 },
    ]);
    // Zero stock: nothing changed, nothing published.
    expect(await outboxRows(server.db, { type: 'stock.level_changed' })).toEqual([]);

    // product.updated: a sku changes and a variant is added.
    const third = randomUUID();
    const updated = productSnapshot(0, { productId: snapshot.productId, variantIds: [first, second, third] });
    updated.variants[0] = { ...updated.variants[0], variantId: first, sku: 'RENAMED-SKU' } as (typeof updated.variants)[number];
    await publish(envelope('product.updated', updated, snapshot.productId), productTopic);
    await eventually(async () => ((await server.db.variant.count({ where: { productId: snapshot.productId } })) === 3 ? true : undefined));
    expect((await server.db.variant.findUnique({ where: { id: first } }))?.sku).toBe('RENAMED-SKU');
    expect(await stockRows(server.db, third)).toHaveLength(2);
  });

  it('with the demo strategy, gives new variants 20 to 200 units per warehouse, the same every time', async () => {
    const demo = await startTestServer({ initialStock: 'demo' });
    try {
      const snapshot = productSnapshot(3);
      await deliver(demo, envelope('product.created', snapshot, snapshot.productId));
      for (const { variantId } of snapshot.variants) {
        const rows = await stockRows(server.db, variantId);
        expect(rows).toHaveLength(2);
        for (const row of rows) {
          expect(row.onHand).toBe(demoInitialStock.onHandFor(variantId, row.warehouseId));
          expect(row.onHand).toBeGreaterThanOrEqual(DEMO_MIN_UNITS);
          expect(row.onHand).toBeLessThanOrEqual(DEMO_MAX_UNITS);
        }
        const [level] = await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId });
        expect(level?.envelope.payload).toMatchObject({ available: rows[0]!.onHand + rows[1]!.onHand, inStock: true });
      }
      // Pinned: the same catalog must get the same demo stock on every machine and every start.
      expect(demoInitialStock.onHandFor('0192f0a0-0000-7000-8000-000000000001', NEWARK)).toBe(69);
      expect(demoInitialStock.onHandFor('0192f0a0-0000-7000-8000-000000000001', BERLIN)).toBe(165);
    } finally {
      await demo.stop();
    }
  });
});

describe('consuming order events', () => {
  async function variantWithStock(units: number): Promise<string> {
    const snapshot = productSnapshot(1);
    await deliver(server, envelope('product.created', snapshot, snapshot.productId));
    const variantId = snapshot.variants[0]?.variantId as string;
    await setStock(server.db, variantId, { [NEWARK]: units });
    return variantId;
  }

  it('reserves, commits and releases through the consumer group', async () => {
    const variantId = await variantWithStock(10);
    const placed = orderPlaced([{ variantId, quantity: 3 }]);
    await publish(placed, orderTopic);
    await eventually(async () => ((await reservationOf(server.db, placed.payload.orderId))?.status === 'ACTIVE' ? true : undefined));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 3, available: 7 });

    await publish(orderConfirmed(placed.payload.orderId), orderTopic);
    await eventually(async () => ((await reservationOf(server.db, placed.payload.orderId))?.status === 'COMMITTED' ? true : undefined));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });

    const other = orderPlaced([{ variantId, quantity: 2 }]);
    await publish(other, orderTopic);
    await publish(orderCancelled(other.payload.orderId), orderTopic);
    await eventually(async () => ((await reservationOf(server.db, other.payload.orderId))?.status === 'RELEASED' ? true : undefined));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    expect((await outboxRows(server.db, { aggregateId: placed.payload.orderId })).map((r) => r.event_type)).toEqual([
      'stock.reserved',
      'stock.committed',
    ]);
    expect((await outboxRows(server.db, { aggregateId: other.payload.orderId })).map((r) => r.event_type)).toEqual([
      'stock.reserved',
      'stock.released',
    ]);
  });

  it('a crash after reserving but before the commit is retried without reserving twice', async () => {
    const variantId = await variantWithStock(10);
    const placed = orderPlaced([{ variantId, quantity: 4 }]);
    crashOnce.add(placed.payload.orderId);
    await publish(placed, orderTopic);

    await eventually(async () => ((await reservationOf(server.db, placed.payload.orderId))?.status === 'ACTIVE' ? true : undefined));
    // The first attempt held the units, appended its events and then died: all of it rolled back.
    expect(reserveAttempts.get(placed.payload.orderId)).toBe(2);
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 4, available: 6 });
    expect(await server.db.reservationLine.count({ where: { variantId } })).toBe(1);
    expect(await outboxRows(server.db, { type: 'stock.reserved', aggregateId: placed.payload.orderId })).toHaveLength(1);
    expect(await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId })).toHaveLength(
      // setStock wrote the level directly; the one reservation changed it once.
      1,
    );
    expect(await server.db.processedEvent.count({ where: { eventId: placed.eventId } })).toBe(1);

    // Kafka redelivers the same message (e.g. the offset commit was lost): skipped.
    await publish(placed, orderTopic);
    // A no-op event for the same order (same key, same partition) after it: once it is handled, so was the duplicate.
    const marker = orderRefunded(placed.payload.orderId, [{ variantId, quantity: 1 }], false);
    await publish(marker, orderTopic);
    await eventually(async () => ((await server.db.processedEvent.count({ where: { eventId: marker.eventId } })) === 1 ? true : undefined));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 4, available: 6 });
    expect(reserveAttempts.get(placed.payload.orderId)).toBe(2);
  });
});
