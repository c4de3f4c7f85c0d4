/**
 * The live stock feed on real Kafka and Redis: the subgraph's `inventory-live`
 * consumer (its own group, starting at the end of the topic) reads
 * stock.level_changed from a per-run copy of the stock-level topic, publishes
 * the variant's stock on Redis, and an admin's graphql-ws subscription
 * receives it. The envelopes produced are the ones adjustStock appended to the
 * outbox, as the relay would ship them.
 */
import { randomUUID } from 'node:crypto';
import { kafkaBrokers } from '@commerce/config';
import { createEventRegistry, eventDefinitions, TOPICS, type DomainEventDefinition, type EventRegistry } from '@commerce/events';
import { eventually, recordSubscription } from '@commerce/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NEWARK, createProduct, outboxRows, startTestServer, tokens, truncateAll, type TestServer, type Tokens } from './helpers.js';

const run = randomUUID().slice(0, 8);
const levelTopic = `${TOPICS.stockLevel}.test-${run}`;
const topics = [levelTopic, `${levelTopic}.dlq`];
const registry = createEventRegistry(
  eventDefinitions.map((definition) => (definition.topic === TOPICS.stockLevel ? { ...definition, topic: levelTopic } : definition)),
) as unknown as EventRegistry<DomainEventDefinition>;

const kafka = new Kafka({ clientId: `inventory-live-test-${run}`, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
let admin: Admin;
let producer: Producer;
let server: TestServer;
let auth: Tokens;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  producer = kafka.producer();
  await producer.connect();
  server = await startTestServer({ liveConsumer: { registry, group: `inventory-live-test-${run}` } });
  auth = await tokens();
  await truncateAll(server.db);
  // Resolves once the group joined: from then on, what is produced is consumed.
  expect(await server.runtime.liveConsumer).toBeDefined();
});

afterAll(async () => {
  if (server) {
    await truncateAll(server.db);
    await server.stop();
  }
  await producer?.disconnect();
  await admin?.deleteTopics({ topics }).catch(() => undefined);
  await admin?.disconnect();
});

it('delivers an adjustment to an admin subscribed to its SKU, through Kafka and Redis', async () => {
  const { variantIds } = await createProduct(server, 1);
  const variantId = variantIds[0] as string;
  const [{ sku }] = (await server.db.$queryRaw<{ sku: string }[]>`SELECT sku FROM variants WHERE id = ${variantId}::uuid`) as [{ sku: string }];
  const stream = recordSubscription<{ stockLevelChanged: { sku: string; onHand: number; available: number } }>(
    server.url,
    { query: 'subscription ($sku: String) { stockLevelChanged(sku: $sku) { sku onHand available } }', variables: { sku } },
    { token: auth.admin },
  );
  try {
    await server.ok(`mutation ($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`, {
      token: auth.admin,
      variables: { input: { variantId, warehouseId: NEWARK, delta: 7, reason: 'received', reasonCode: 'RECEIVED' } },
    });
    const [row] = await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId });
    expect(row).toBeDefined();
    // The subscription goes live asynchronously; the relay would ship the row once, a test may ship it again.
    const received = await eventually(
      async () => {
        await producer.send({ topic: levelTopic, messages: [{ key: variantId, value: JSON.stringify(row?.envelope) }] });
        return stream.data()[0];
      },
      30_000,
      500,
    );
    expect(received.stockLevelChanged).toEqual({ sku, onHand: 7, available: 7 });
    expect(stream.errors).toEqual([]);
  } finally {
    await stream.close();
  }
});
