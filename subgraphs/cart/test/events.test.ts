/**
 * The cart's consumer over real Kafka: catalog events build the read model
 * (a price change reaches lines already in carts), and order.placed empties
 * the cart and publishes cart.checked_out exactly once, redeliveries included.
 * Events are produced straight to the topics with valid envelopes, as the
 * catalog's and orders' relays would. The consumer uses a group of its own,
 * starting at the end of each topic; probes on every partition prove it is
 * reading before the tests produce anything.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl, kafkaBrokers } from '@commerce/config';
import {
  OrderPlaced,
  ProductCreated,
  ProductPriceChanged,
  ProductUpdated,
  startOutboxRelay,
  TOPICS,
  type EventConsumer,
  type OrderPlacedPayload,
  type OutboxRelay,
} from '@commerce/events';
import { createLogger } from '@commerce/observability';
import { eventually, KafkaTopicReader, tokenFor } from '@commerce/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCartConsumer } from '../src/events/consumers.js';
import {
  ADD_LINE,
  APPLY_CODE,
  CART,
  mutate,
  outboxRows,
  productSnapshot,
  seedProduct,
  startTestServer,
  tokens,
  truncateAll,
  type CartView,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let consumer: EventConsumer | undefined;
let producer: Producer;
let kafka: Kafka;
const group = `cart-test-${randomUUID()}`;

interface Definition {
  type: string;
  version: number;
  topic: string;
}

function envelope(definition: Definition, aggregateId: string, payload: unknown, eventId: string = randomUUID()) {
  return { eventId, type: definition.type, version: definition.version, occurredAt: new Date().toISOString(), aggregateId, payload };
}

async function produce(definition: Definition, aggregateId: string, value: object, partition?: number): Promise<void> {
  await producer.send({
    topic: definition.topic,
    messages: [{ key: aggregateId, value: JSON.stringify(value), ...(partition === undefined ? {} : { partition }) }],
  });
}

const processed = async (eventId: string): Promise<boolean> =>
  (await server.db.processedEvent.count({ where: { consumer: group, eventId } })) === 1;

function orderPlaced(fields: { orderId?: string; cartId: string; userId: string; lines: { variantId: string; quantity: number }[] }): OrderPlacedPayload {
  const lines = fields.lines.map((line) => ({
    lineId: randomUUID(),
    productId: randomUUID(),
    variantId: line.variantId,
    sku: 'SKU',
    name: 'Thing',
    quantity: line.quantity,
    unitPriceMinor: 1000,
    lineTotalMinor: 1000 * line.quantity,
  }));
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  return {
    orderId: fields.orderId ?? randomUUID(),
    userId: fields.userId,
    cartId: fields.cartId,
    currency: 'USD',
    lines,
    subtotalMinor: subtotal,
    discountMinor: 0,
    taxMinor: 0,
    shippingMinor: 0,
    totalMinor: subtotal,
    paymentMethodToken: 'pm_card_visa',
    placedAt: new Date().toISOString(),
  };
}

/** One harmless event per partition of each topic, awaited: the consumer then reads everything produced after. */
async function probeEveryPartition(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const probes: Promise<unknown>[] = [];
    for (const definition of [ProductPriceChanged, OrderPlaced] as Definition[]) {
      const partitions = await admin.fetchTopicOffsets(definition.topic);
      for (const { partition } of partitions) {
        probes.push(
          eventually(
            async () => {
              const eventId = randomUUID();
              const payload =
                definition.type === OrderPlaced.type
                  ? orderPlaced({ cartId: randomUUID(), userId: randomUUID(), lines: [{ variantId: randomUUID(), quantity: 1 }] })
                  : { productId: randomUUID(), variantId: randomUUID(), sku: 'PROBE', currency: 'USD', previousAmountMinor: null, amountMinor: 1 };
              await produce(definition, randomUUID(), envelope(definition, randomUUID(), payload, eventId), partition);
              return (await eventually(() => processed(eventId).then((ok) => (ok ? true : undefined)), 3_000).catch(() => undefined));
            },
            60_000,
            10,
          ),
        );
      }
    }
    await Promise.all(probes);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  kafka = new Kafka({ clientId: 'cart-events-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
  consumer = await startCartConsumer({
    prisma: server.db,
    store: server.store,
    logger: createLogger({ service: 'cart-test' }),
    group,
    fromBeginning: false,
  });
  await probeEveryPartition();
});

afterAll(async () => {
  await consumer?.stop();
  await producer?.disconnect();
  // The group was this run's alone.
  const admin = kafka?.admin();
  if (admin) {
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => {});
    await admin.disconnect();
  }
  if (server) await truncateAll(server.db);
  await server?.stop();
});

async function readCart(id: string, token: string): Promise<CartView> {
  return (await server.ok<{ cart: CartView }>(CART, { token, variables: { id } })).cart;
}

describe('catalog events', () => {
  it('product.created fills the read model; product.price_changed reprices lines already in carts', async () => {
    const variantId = randomUUID();
    const snapshot = productSnapshot({
      name: 'Kettle',
      variants: [{ variantId, sku: `KET-${randomUUID().slice(0, 6)}`, name: 'Steel', prices: [{ currency: 'USD', amountMinor: 2500 }, { currency: 'EUR', amountMinor: 2300 }] }],
    });
    await produce(ProductCreated, snapshot.productId, envelope(ProductCreated, snapshot.productId, snapshot));
    await eventually(async () => ((await server.db.catalogVariant.findUnique({ where: { variantId } })) ? true : undefined));

    const added = await mutate(server, ADD_LINE, { variantId, quantity: 2 }, auth.alice);
    expect(added.cart.lines[0]).toMatchObject({ title: 'Kettle – Steel', unitPrice: { amountMinor: 2500 }, lineTotal: { amountMinor: 5000 } });

    await produce(
      ProductPriceChanged,
      snapshot.productId,
      envelope(ProductPriceChanged, snapshot.productId, {
        productId: snapshot.productId,
        variantId,
        sku: snapshot.variants[0]!.sku,
        currency: 'USD',
        previousAmountMinor: 2500,
        amountMinor: 1999,
      }),
    );
    const repriced = await eventually(async () => {
      const cart = await readCart(added.cart.id, auth.alice);
      return cart.lines[0]?.unitPrice.amountMinor === 1999 ? cart : undefined;
    });
    expect(repriced.lines[0]?.lineTotal).toEqual({ amountMinor: 3998, currency: 'USD' });
    expect(repriced.totals.subtotal.amountMinor).toBe(3998);

    // Archived by product.updated: the line stays, unavailable, out of the totals.
    const archived = { ...snapshot, status: 'ARCHIVED' as const, updatedAt: new Date(Date.now() + 1000).toISOString() };
    archived.variants = [{ ...snapshot.variants[0]!, prices: [{ currency: 'USD', amountMinor: 1999 }] }];
    await produce(ProductUpdated, snapshot.productId, envelope(ProductUpdated, snapshot.productId, archived));
    const unavailable = await eventually(async () => {
      const cart = await readCart(added.cart.id, auth.alice);
      return cart.lines[0]?.available === false ? cart : undefined;
    });
    expect(unavailable.totals.total.amountMinor).toBe(0);
  });
});

describe('checkout (order.placed)', () => {
  it('empties the ordered lines once and publishes cart.checked_out exactly once, redelivery included', async () => {
    const shirt = await seedProduct(server.db, { name: 'Shirt' });
    const mug = await seedProduct(server.db, { name: 'Mug' });
    const hat = await seedProduct(server.db, { name: 'Hat' });
    const added = await mutate(server, ADD_LINE, { variantId: shirt.variants[0]!.variantId, quantity: 2 }, auth.bob);
    await mutate(server, ADD_LINE, { variantId: mug.variants[0]!.variantId, quantity: 1 }, auth.bob);
    const cartId = added.cart.id;

    const order = orderPlaced({
      cartId,
      userId: auth.bobId,
      lines: [
        { variantId: shirt.variants[0]!.variantId, quantity: 2 },
        { variantId: mug.variants[0]!.variantId, quantity: 1 },
      ],
    });
    // Added after the order was placed (before the event arrives): it stays.
    await mutate(server, ADD_LINE, { variantId: hat.variants[0]!.variantId, quantity: 1 }, auth.bob);

    const event = envelope(OrderPlaced, order.orderId, order);
    await produce(OrderPlaced, order.orderId, event);
    await eventually(() => processed(event.eventId).then((ok) => (ok ? true : undefined)));

    const cart = await readCart(cartId, auth.bob);
    expect(cart.lines.map((l) => [l.title, l.quantity])).toEqual([['Hat – M', 1]]);
    const durable = await server.db.cartLine.findMany({ where: { cartId } });
    expect(durable.map((l) => l.variantId)).toEqual([hat.variants[0]!.variantId]);

    const checkedOut = async () => (await outboxRows(server.db, cartId)).filter((row) => row.event_type === 'cart.checked_out');
    expect((await checkedOut()).map((row) => row.envelope.payload)).toEqual([{ cartId, userId: auth.bobId, orderId: order.orderId }]);

    // Redelivered (same event id), and published again under a new id: neither changes anything.
    await produce(OrderPlaced, order.orderId, event);
    const again = envelope(OrderPlaced, order.orderId, order);
    await produce(OrderPlaced, order.orderId, again);
    await eventually(() => processed(again.eventId).then((ok) => (ok ? true : undefined)));
    expect(await checkedOut()).toHaveLength(1);
    expect((await readCart(cartId, auth.bob)).lines.map((l) => l.title)).toEqual(['Hat – M']);
  });

  it("counts one use of the cart's discount code per order, redeliveries and a second event included", async () => {
    const code = `KAFKA${randomUUID().slice(0, 6).toUpperCase()}`;
    await server.db.discountCode.create({ data: { code, kind: 'PERCENT', percentOff: 10, usageLimit: 5 } });
    const lamp = await seedProduct(server.db, { name: 'Lamp' });
    const variantId = lamp.variants[0]!.variantId;
    // A shopper of its own: the other tests' carts keep their own events.
    const carol = await tokenFor({ roles: ['CUSTOMER'] });
    const added = await mutate(server, ADD_LINE, { variantId, quantity: 1 }, carol.token);
    await mutate(server, APPLY_CODE, { code: code.toLowerCase() }, carol.token);

    const order = { ...orderPlaced({ cartId: added.cart.id, userId: carol.userId, lines: [{ variantId, quantity: 1 }] }), discountMinor: 100, email: 'carol@example.com' };
    const event = envelope(OrderPlaced, order.orderId, order);
    await produce(OrderPlaced, order.orderId, event);
    await produce(OrderPlaced, order.orderId, event);
    const again = envelope(OrderPlaced, order.orderId, order);
    await produce(OrderPlaced, order.orderId, again);
    await eventually(() => processed(again.eventId).then((ok) => (ok ? true : undefined)));

    const uses = await server.db.discountCodeUse.findMany({ where: { code } });
    expect(uses).toMatchObject([{ orderId: order.orderId, userId: carol.userId, email: 'carol@example.com', cartId: added.cart.id }]);
    expect((await server.db.discountCode.findUniqueOrThrow({ where: { code } })).timesUsed).toBe(1);
    // The code was spent with the emptied cart.
    expect((await readCart(added.cart.id, carol.token)).discountCode).toBeNull();
  });

  it('the relay ships cart.checked_out to Kafka exactly once', async () => {
    const reader = new KafkaTopicReader(TOPICS.cart);
    await reader.start();
    let relay: OutboxRelay | undefined;
    try {
      const product = await seedProduct(server.db, { name: 'Vase' });
      const added = await mutate(server, ADD_LINE, { variantId: product.variants[0]!.variantId }, auth.alice);
      const order = orderPlaced({ cartId: added.cart.id, userId: auth.aliceId, lines: [{ variantId: product.variants[0]!.variantId, quantity: 1 }] });
      const event = envelope(OrderPlaced, order.orderId, order);
      await produce(OrderPlaced, order.orderId, event);
      await produce(OrderPlaced, order.orderId, event);
      await eventually(() => processed(event.eventId).then((ok) => (ok ? true : undefined)));

      relay = await startOutboxRelay({ domain: 'cart', databaseUrl: databaseUrl('cart', 'test'), brokers: kafkaBrokers() });
      await relay.flush();
      // Ours: messages carrying exactly an outbox row of this database (its position and envelope
      // text, which the relay sends as is). The broker is shared with whatever else runs here
      // (npm start, the browser tests' stack, a benchmark): their cart consumers read the
      // order.placed produced above too and publish a cart.checked_out of their own for the same
      // order, even under the same event id (derived from the order id), but from another outbox
      // (another position and occurredAt). Those are not duplicates; a row of ours sent twice would be.
      const own = await server.db.$queryRaw<{ position: string; envelope: string }[]>`
        SELECT position::text AS position, envelope::text AS envelope FROM outbox_events
         WHERE aggregate_id = ${added.cart.id} AND event_type = 'cart.checked_out'`;
      expect(own).toHaveLength(1);
      const mine = () =>
        reader.messages.filter((message) =>
          own.some((row) => message.headers['outbox-position'] === row.position && message.value === row.envelope),
        );
      await eventually(async () => (mine().length > 0 ? true : undefined));
      // Give a duplicate every chance to show up.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(mine()).toHaveLength(1);
      expect(mine()[0]?.key).toBe(added.cart.id);
    } finally {
      await relay?.stop();
      await reader.stop();
    }
  });
});
