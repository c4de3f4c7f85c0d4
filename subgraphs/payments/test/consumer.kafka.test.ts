/**
 * The subgraph as it runs: the real consumer on Kafka (its own test group),
 * the outbox relay publishing payment events, Stripe through the mock. Events
 * are produced the way the other services' relays publish them (envelope as
 * the value, keyed by order id).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, TOPICS, type EventEnvelope } from '@commerce/events';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { eventually, KafkaTopicReader } from '@commerce/testing';
import type { Producer } from 'kafkajs';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { paymentsSubgraph } from '../src/subgraph.js';
import { events, intentsOf, newOrder, outboxTypes, silentLogger, startStripe, testPrisma, truncateAll, WEBHOOK_SECRET, type StripeSetup } from './helpers.js';

let db: PaymentsPrisma;
let stripe: StripeSetup;
let server: RunningSubgraph;
let producer: Producer;
let reader: KafkaTopicReader;

const topicOf = (type: string): string => (type.startsWith('stock.') ? TOPICS.stock : TOPICS.order);

async function publish(...envelopes: EventEnvelope[]): Promise<void> {
  for (const envelope of envelopes) {
    await producer.send({
      topic: topicOf(envelope.type),
      messages: [
        {
          key: envelope.aggregateId,
          value: JSON.stringify(envelope),
          headers: { 'event-type': envelope.type, 'event-id': envelope.eventId, 'event-version': String(envelope.version) },
        },
      ],
    });
  }
}

const statusOf = async (orderId: string): Promise<string | undefined> =>
  (await db.payment.findUnique({ where: { orderId } }))?.status;

/**
 * The messages on commerce.payment that this test's database published:
 * those carrying exactly one of its outbox rows about `orderId` (the relay
 * sends the stored envelope text as is, with its position in a header). The
 * broker is shared with whatever else runs here (npm start, the browser
 * tests' stack, a benchmark): their payments consumers read the synthetic
 * order events this file produces too, authorize the same order id in their
 * own databases and publish payment events of their own for it. Counting
 * those made "published twice" failures. A row of ours sent twice still
 * shows twice.
 */
async function publishedByUs(orderId: string) {
  const own = await db.$queryRaw<{ position: string; envelope: string }[]>`
    SELECT position::text AS position, envelope::text AS envelope FROM outbox_events WHERE aggregate_id = ${orderId}`;
  return reader.messages.filter((message) => own.some((row) => message.headers['outbox-position'] === row.position && message.value === row.envelope));
}

beforeAll(async () => {
  db = testPrisma();
  await truncateAll(db);
  stripe = await startStripe();
  server = await startSubgraph(
    paymentsSubgraph({
      prisma: db,
      provider: stripe.provider,
      webhookSecret: WEBHOOK_SECRET,
      relay: true,
      // A fresh group that starts at the end of the topics: other runs' events are not replayed here.
      consumers: { group: `payments-test-${randomUUID()}`, fromBeginning: false, maxAttempts: 3 },
      logger: silentLogger(),
    }),
    { port: 0, host: '127.0.0.1' },
  );
  stripe.mock.setWebhookUrl(server.url.replace(/\/graphql$/, '/webhooks/stripe'));
  producer = createKafka({ clientId: 'payments-test-producer' }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  reader = new KafkaTopicReader(TOPICS.payment);
  await reader.start();

  // The group joins asynchronously and starts at the end: publish a probe until the consumer picks one up.
  const probe = newOrder();
  await eventually(async () => {
    await publish(events.orderPlaced(probe));
    return (await statusOf(probe.orderId)) ? true : undefined;
  }, 60_000, 500);
});

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await server?.stop();
  if (db) await truncateAll(db);
  await db?.$disconnect();
  await stripe?.mock.stop();
});

describe('payments on Kafka', () => {
  it('authorizes from the two topics, publishes payment.authorized, captures on order.confirmed; a redelivered message changes nothing', async () => {
    const order = newOrder({ totalMinor: 7_777 });
    const reserved = events.stockReserved(order);
    await publish(reserved, events.orderPlaced(order));
    expect(await eventually(async () => ((await statusOf(order.orderId)) === 'AUTHORIZED' ? true : undefined), 30_000)).toBe(true);

    // The same message again (same event id), as after a consumer crash before its offset commit.
    await publish(reserved);
    await publish(events.orderConfirmed(order));
    expect(await eventually(async () => ((await statusOf(order.orderId)) === 'CAPTURED' ? true : undefined), 30_000)).toBe(true);

    const published = await eventually(async () => {
      const found = await publishedByUs(order.orderId);
      return found.length >= 2 ? found : undefined;
    }, 30_000);
    // Give a duplicate every chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await publishedByUs(order.orderId)).toHaveLength(2);
    expect(published.map((m) => (JSON.parse(m.value) as EventEnvelope).type)).toEqual(['payment.authorized', 'payment.captured']);
    expect(published[0]!.key).toBe(order.orderId);
    expect(JSON.parse(published[0]!.value)).toMatchObject({ payload: { orderId: order.orderId, amountMinor: 7_777, currency: 'USD', provider: 'stripe' } });

    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(intentsOf(stripe.mock, order.orderId)[0]).toMatchObject({ status: 'succeeded', amount_received: 7_777 });
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);
    // Stripe's webhooks for this order reached the subgraph and were recognised as already known.
    await stripe.mock.flushWebhooks();
    const ours = stripe.mock.webhookDeliveries.filter((d) => stripe.mock.events.some((e) => e.id === d.eventId && JSON.stringify(e).includes(order.orderId)));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((d) => d.status === 200)).toBe(true);
  });

  it('a decline on Kafka publishes payment.failed with the decline code', async () => {
    const order = newOrder({ token: 'pm_card_chargeDeclinedInsufficientFunds' });
    await publish(events.orderPlaced(order), events.stockReserved(order));
    const failed = await eventually(async () => {
      const [message] = await publishedByUs(order.orderId);
      return message;
    }, 30_000);
    expect(JSON.parse(failed.value)).toMatchObject({ type: 'payment.failed', payload: { declineCode: 'insufficient_funds' } });
  });
});
