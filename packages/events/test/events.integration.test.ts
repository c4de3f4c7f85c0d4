/**
 * Outbox, relay and consumer against real PostgreSQL and Kafka. Topics are
 * unique per run (and deleted afterwards); the scratch database holds only
 * the outbox tables. Run order matters only in that every test leaves the
 * outbox fully published.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  kafkaGroupId,
  appendToOutbox,
  createEventRegistry,
  defineEvent,
  deadLetterTopic,
  EventValidationError,
  KafkaLogLevel,
  startConsumer,
  startOutboxRelay,
  type ConsumerOptions,
  type EventHandlers,
  type EventLogger,
  type OutboxRelay,
} from '../src/index.js';
import { Collector, createTopics, deferred, delay, kafka, PgPrisma, type PgTx, prepareDatabase, testDatabaseUrl, waitFor } from './helpers.js';

const run = randomUUID().slice(0, 8);
const ORDERS = `events-lib-test.${run}.orders`;
const STOCK = `events-lib-test.${run}.stock`;
const TEST_TOPICS = [ORDERS, deadLetterTopic(ORDERS), STOCK, deadLetterTopic(STOCK)];

const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: 1,
  topic: ORDERS,
  schema: z.object({ orderId: z.string(), seq: z.number().int(), totalMinor: z.number().int() }),
});
const OrderCancelled = defineEvent({ type: 'order.cancelled', version: 1, topic: ORDERS, schema: z.object({ orderId: z.string() }) });
const StockReserved = defineEvent({ type: 'stock.reserved', version: 1, topic: STOCK, schema: z.object({ sku: z.string(), quantity: z.number().int() }) });
const registry = createEventRegistry([OrderPlaced, OrderCancelled, StockReserved]);
type TestEvent = typeof OrderPlaced | typeof OrderCancelled | typeof StockReserved;

/** Collects log lines so tests can assert on what the library reported. */
function memoryLogger(): EventLogger & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

const quiet = { kafkaLogLevel: KafkaLogLevel.NOTHING } as const;
const brokers = ['127.0.0.1:9092'];

let prisma: PgPrisma;
let admin: Admin;
let rawProducer: Producer;
let collector: Collector;
const relays: OutboxRelay[] = [];
const children: ChildProcess[] = [];

async function relay(options: Partial<Parameters<typeof startOutboxRelay>[0]> = {}): Promise<OutboxRelay> {
  const started = await startOutboxRelay({
    domain: 'catalog',
    databaseUrl: testDatabaseUrl(),
    brokers,
    pollIntervalMs: 200,
    standbyRetryMs: 100,
    ...quiet,
    ...options,
  });
  relays.push(started);
  return started;
}

async function placeOrders(orderId: string, count: number, from = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const envelope = await prisma.$transaction((tx) =>
      appendToOutbox(tx, OrderPlaced, { aggregateId: orderId, payload: { orderId, seq, totalMinor: seq * 100 } }),
    );
    ids.push(envelope.eventId);
  }
  return ids;
}

const unpublished = async (): Promise<number> =>
  Number((await prisma.query<{ n: string }>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL'))[0]?.n);

const countById = (topic: string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const m of collector.on(topic)) counts.set(m.headers['event-id'] ?? '', (counts.get(m.headers['event-id'] ?? '') ?? 0) + 1);
  return counts;
};

/**
 * A successor relay finishes what a crashed one left: nothing unpublished, every id once on Kafka.
 * `alreadyOnKafka`: the crash came after the Kafka commit, so the successor must recognise the batch by its marker.
 */
async function expectRecovered(ids: string[], options: { alreadyOnKafka?: boolean } = {}): Promise<void> {
  const log = memoryLogger();
  const successor = await relay({ logger: log });
  await successor.flush();
  expect(await unpublished()).toBe(0);
  await expectExactlyOnce(ORDERS, ids);
  if (options.alreadyOnKafka) expect(log.lines.some((l) => l.msg.includes('already on Kafka'))).toBe(true);
  await successor.stop();
}

/** Waits until every id is on the topic, then a little longer so a duplicate would have time to show. */
async function expectExactlyOnce(topic: string, eventIds: string[]): Promise<void> {
  await waitFor(() => eventIds.every((id) => countById(topic).has(id)), 15_000, `${eventIds.length} events on ${topic}`);
  await delay(500);
  const counts = countById(topic);
  for (const id of eventIds) expect(counts.get(id), `copies of ${id}`).toBe(1);
}

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  await prepareDatabase();
  prisma = new PgPrisma(testDatabaseUrl());
  admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, TEST_TOPICS, 3);
  rawProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await rawProducer.connect();
  collector = await new Collector(TEST_TOPICS).start();
});

// A failed test must not leave its relay leading (and holding the lock) for the next one.
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(async () => {
  await collector?.stop();
  await rawProducer?.disconnect();
  await admin?.deleteTopics({ topics: TEST_TOPICS }).catch(() => undefined);
  await admin?.disconnect();
  await prisma?.$disconnect();
  context.disable();
});

describe('transactional outbox', () => {
  it('writes the envelope in the caller transaction, with the trace context, and rolls back with it', async () => {
    const orderId = randomUUID();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = trace.setSpanContext(context.active(), { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });

    const envelope = await context.with(parent, () =>
      prisma.$transaction((tx) => appendToOutbox(tx, OrderPlaced, { aggregateId: orderId, payload: { orderId, seq: 1, totalMinor: 999 } })),
    );
    expect(envelope).toMatchObject({ type: 'order.placed', version: 1, aggregateId: orderId, payload: { orderId, seq: 1, totalMinor: 999 } });
    expect(envelope.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.traceparent).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(new Date(envelope.occurredAt).toISOString()).toBe(envelope.occurredAt);

    const [row] = await prisma.query<{ topic: string; event_type: string; aggregate_id: string; envelope: unknown; published_at: Date | null }>(
      'SELECT topic, event_type, aggregate_id, envelope, published_at FROM outbox_events WHERE event_id = $1',
      [envelope.eventId],
    );
    expect(row).toMatchObject({ topic: ORDERS, event_type: 'order.placed', aggregate_id: orderId, published_at: null });
    expect(row?.envelope).toEqual(envelope);

    // Rolled back with the caller's transaction.
    let rolledBack: string | undefined;
    await expect(
      prisma.$transaction(async (tx) => {
        rolledBack = (await appendToOutbox(tx, OrderPlaced, { aggregateId: orderId, payload: { orderId, seq: 2, totalMinor: 1 } })).eventId;
        throw new Error('business rule failed after the append');
      }),
    ).rejects.toThrow('business rule');
    expect(await prisma.query('SELECT 1 FROM outbox_events WHERE event_id = $1', [rolledBack])).toHaveLength(0);

    // Invalid payloads never reach the table.
    await expect(
      prisma.$transaction((tx) =>
        appendToOutbox(tx, OrderPlaced, { aggregateId: orderId, payload: { orderId, seq: 1.5, totalMinor: 1 } }),
      ),
    ).rejects.toBeInstanceOf(EventValidationError);
  });

  it("stamps the caller's trace context when no span is active; an active span wins", async () => {
    const orderId = randomUUID();
    const traceContext = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=abc' };
    const append = (seq: number) =>
      prisma.$transaction((tx) => appendToOutbox(tx, OrderPlaced, { aggregateId: orderId, payload: { orderId, seq, totalMinor: 1 }, traceContext }));

    // Telemetry off (the default): no active span, so the request's context is all there is.
    expect(trace.getSpanContext(context.active())).toBeUndefined();
    const envelope = await append(1);
    expect(envelope).toMatchObject(traceContext);
    const [row] = await prisma.query<{ envelope: Record<string, unknown> }>('SELECT envelope FROM outbox_events WHERE event_id = $1', [
      envelope.eventId,
    ]);
    expect(row?.envelope).toMatchObject(traceContext);

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = trace.setSpanContext(context.active(), { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    const traced = await context.with(parent, () => append(2));
    expect(traced.traceparent).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(traced.tracestate).toBeUndefined();

    // Nothing for the relay tests to publish.
    await prisma.query('DELETE FROM outbox_events WHERE aggregate_id = $1', [orderId]);
  });
});

describe('outbox relay', () => {
  it('publishes keyed by aggregate id, in order per aggregate, with headers, and marks rows published', async () => {
    const orders = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // Concurrent writers, sequential per aggregate (as a real service would be).
    const ids = (await Promise.all(orders.map((orderId) => placeOrders(orderId, 8)))).flat();
    const stock = await prisma.$transaction((tx) => appendToOutbox(tx, StockReserved, { aggregateId: 'SKU-1', payload: { sku: 'SKU-1', quantity: 2 } }));

    const relayA = await relay();
    await relayA.flush();
    expect(await unpublished()).toBe(0);

    await expectExactlyOnce(ORDERS, ids);
    await expectExactlyOnce(STOCK, [stock.eventId]);
    for (const orderId of orders) {
      const messages = collector.on(ORDERS).filter((m) => m.key === orderId);
      expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
      const seqs = messages.map((m) => (JSON.parse(m.value) as { payload: { seq: number } }).payload.seq);
      expect(seqs, JSON.stringify(messages.map((m) => [m.partition, m.offset, m.headers['outbox-position']]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const positions = messages.map((m) => BigInt(m.headers['outbox-position'] ?? '0'));
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    }
    const first = collector.on(ORDERS).find((m) => m.headers['event-id'] === ids[0]);
    expect(first?.headers).toMatchObject({ 'event-type': 'order.placed', 'event-version': '1', 'outbox-domain': 'catalog' });
    expect(first?.headers['outbox-position']).toMatch(/^\d+$/);
    // The trace context written by the first test travels as a header.
    const traced = collector.on(ORDERS).find((m) => (JSON.parse(m.value) as { traceparent?: string }).traceparent);
    expect(traced?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);

    // Wakes on NOTIFY: a new row is published well before the 200 ms poll would matter.
    const started = Date.now();
    const [later] = await placeOrders(orders[0] ?? '', 1, 9);
    await expectExactlyOnce(ORDERS, [later ?? '']);
    expect(Date.now() - started).toBeLessThan(1_500);
    await relayA.stop();
  });

  it('only one relay per database publishes; a standby takes over when the leader stops', async () => {
    const logA = memoryLogger();
    const logB = memoryLogger();
    const relayA = await relay({ logger: logA });
    await waitFor(() => logA.lines.some((l) => l.msg.includes('is the leader')), 10_000, 'relay A to lead');
    const relayB = await relay({ logger: logB });
    const orderId = randomUUID();
    const ids = await placeOrders(orderId, 3);
    await relayA.flush();
    await expectExactlyOnce(ORDERS, ids);
    expect(logB.lines.some((l) => l.msg.includes('is the leader'))).toBe(false);

    await relayA.stop();
    const more = await placeOrders(orderId, 3, 4);
    await relayB.flush();
    await expectExactlyOnce(ORDERS, more);
    expect(logB.lines.some((l) => l.msg.includes('is the leader'))).toBe(true);
    const seqs = collector.on(ORDERS).filter((m) => m.key === orderId).map((m) => (JSON.parse(m.value) as { payload: { seq: number } }).payload.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
    await relayB.stop();
  });

  it('exactly once when the relay dies between the Kafka commit and the database mark (in process)', async () => {
    // Rows first, relay second: its first batch then holds all of them. (Started
    // earlier, a busy machine lets it wake between inserts and crash on a part.)
    const ids = await placeOrders(randomUUID(), 5);
    const crashed = deferred();
    const relayA = await relay({
      backoff: { initialMs: 60_000 }, // it must not recover by itself: we "kill" it
      hooks: {
        beforeMarkPublished: () => {
          crashed.resolve();
          throw new Error('injected crash after Kafka commit');
        },
      },
    });
    await crashed.promise;
    await relayA.stop();
    // The crash window was hit: on Kafka, not marked in the database.
    expect(await unpublished()).toBe(5);
    await waitFor(() => ids.every((id) => countById(ORDERS).has(id)), 10_000, 'batch committed on Kafka');
    await expectRecovered(ids, { alreadyOnKafka: true });
  });

  async function crashChild(crashAt: 'beforeMarkPublished' | 'beforeCommit'): Promise<number | null> {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/relay-child.ts', import.meta.url))], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), CRASH_AT: crashAt },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 9 : null)));
  }

  it('exactly once when the relay process is SIGKILLed after the Kafka commit, then restarted', async () => {
    const ids = await placeOrders(randomUUID(), 4);
    expect(await crashChild('beforeMarkPublished')).toBe(9);
    expect(await unpublished()).toBe(4);
    await waitFor(() => ids.every((id) => countById(ORDERS).has(id)), 10_000, 'batch committed on Kafka by the killed relay');

    // A fresh process knows nothing of the batch: only the Kafka marker can tell it.
    await expectRecovered(ids, { alreadyOnKafka: true });
  });

  it('exactly once when the relay process is SIGKILLed with its Kafka transaction open, then restarted', async () => {
    const ids = await placeOrders(randomUUID(), 4);
    expect(await crashChild('beforeCommit')).toBe(9);
    expect(await unpublished()).toBe(4);

    // The successor fences the dead producer (its open transaction is aborted,
    // invisible to read_committed consumers) and publishes the rows again.
    await expectRecovered(ids);
  });

  it('keeps rows and records attempts while Kafka rejects them, then publishes', async () => {
    const missing = `events-lib-test.${run}.not-yet-created`;
    const Late = defineEvent({ type: 'late.happened', version: 1, topic: missing, schema: z.object({}) });
    const envelope = await prisma.$transaction((tx) => appendToOutbox(tx, Late, { aggregateId: 'a', payload: {} }));
    const relayA = await relay({ backoff: { initialMs: 100, maxMs: 300 } });
    await waitFor(
      async () =>
        ((await prisma.query<{ attempts: number }>('SELECT attempts FROM outbox_events WHERE event_id = $1', [envelope.eventId]))[0]?.attempts ?? 0) >= 2,
      20_000,
      'failed attempts to be recorded',
    );
    const [row] = await prisma.query<{ published_at: Date | null; last_error: string | null }>(
      'SELECT published_at, last_error FROM outbox_events WHERE event_id = $1',
      [envelope.eventId],
    );
    expect(row?.published_at).toBeNull();
    expect(row?.last_error).toBeTruthy();

    await createTopics(admin, [missing], 2);
    const lateCollector = await new Collector([missing]).start();
    try {
      await relayA.flush({ timeoutMs: 20_000 });
      await waitFor(() => lateCollector.messages.length === 1, 10_000, 'late event');
      await delay(300);
      expect(lateCollector.messages.map((m) => m.headers['event-id'])).toEqual([envelope.eventId]);
    } finally {
      await lateCollector.stop();
      await relayA.stop();
      await admin.deleteTopics({ topics: [missing] }).catch(() => undefined);
    }
  }, 45_000);
});

describe('idempotent consumer', () => {
  /** A consumer of the test topics with the shared settings, as `relay()` is for relays. */
  const consumer = (group: string, handlers: EventHandlers<TestEvent, PgTx>, options: Partial<ConsumerOptions<PgTx, TestEvent>> = {}) =>
    startConsumer({ group, brokers, prisma, registry, ...quiet, ...options, handlers });
  const effects = async (group: string): Promise<{ event_id: string; note: string }[]> =>
    prisma.query('SELECT event_id::text AS event_id, note FROM test_effects WHERE consumer = $1 ORDER BY id', [group]);

  /** Produces an envelope straight to Kafka, bypassing the outbox (redeliveries, poison). */
  async function produce(topic: string, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
    await rawProducer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  }
  const envelopeOf = (payload: object, overrides: object = {}) => ({
    eventId: randomUUID(),
    type: 'order.placed',
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: 'order-x',
    payload,
    ...overrides,
  });

  it('applies an event once even when Kafka delivers it again, and restores the trace context', async () => {
    const group = `test-idem-${run}`;
    const key = `idem-${run}`;
    const traceIds: (string | undefined)[] = [];
    const calls: string[] = [];
    const logged: Record<string, unknown>[] = [];
    const capture = { info: (obj: object) => void logged.push({ ...obj }), warn() {}, error() {} };
    const first = await consumer(
      group,
      {
        'order.placed': async ({ tx, logger, eventId, traceContext }, event) => {
          if (event.aggregateId !== key) return; // history from the other tests on this topic
          calls.push(eventId);
          traceIds.push(trace.getSpanContext(context.active())?.traceId);
          if (traceContext.traceparent) logger.info({ seq: event.payload.seq }, 'handled');
          await tx.$executeRawUnsafe('INSERT INTO test_effects (consumer, event_id, note) VALUES ($1, $2::uuid, $3)', group, event.eventId, String(event.payload.seq));
        },
      },
      { logger: capture },
    );
    const envelope = envelopeOf(
      { orderId: 'o', seq: 42, totalMinor: 1 },
      { aggregateId: key, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    await produce(ORDERS, key, JSON.stringify(envelope));
    await produce(ORDERS, key, JSON.stringify(envelope)); // the same event again
    const marker = envelopeOf({ orderId: 'o', seq: 43, totalMinor: 1 }, { aggregateId: key });
    await produce(ORDERS, key, JSON.stringify(marker));
    await waitFor(async () => (await effects(group)).length >= 2, 15_000, 'effects');
    await delay(300);
    expect((await effects(group)).map((e) => e.event_id)).toEqual([envelope.eventId, marker.eventId]);
    expect(traceIds[0]).toBe('0af7651916cd43dd8448eb211c80319c');
    // The handler's EventContext logger is bound with the event and its trace id.
    expect(logged.find((line) => line.seq === 42)).toMatchObject({
      eventId: envelope.eventId,
      eventType: 'order.placed',
      group,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
    });

    // Redelivery of everything (offsets rewound, as after a crash before the offset commit).
    await first.stop();
    await admin.setOffsets({ groupId: kafkaGroupId(group), topic: ORDERS, partitions: [0, 1, 2].map((partition) => ({ partition, offset: '0' })) });
    const callsBefore = calls.length;
    const again = await consumer(group, { 'order.placed': async (_ctx, e) => void (e.aggregateId === key && calls.push(e.eventId)) });
    const next = envelopeOf({ orderId: 'o', seq: 44, totalMinor: 1 }, { aggregateId: key });
    await produce(ORDERS, key, JSON.stringify(next));
    await waitFor(() => calls.includes(next.eventId), 15_000, 'rewound consumer to catch up');
    // Only the new event reached the handler; everything replayed was skipped.
    expect(calls.slice(callsBefore)).toEqual([next.eventId]);
    await again.stop();
  });

  it('a consumer that dies after its side effect but before commit does not duplicate the effect', async () => {
    const group = `test-crash-${run}`;
    const key = `SKU-crash-${run}`;
    const inHandler = deferred();
    const release = deferred();
    let calls = 0;
    /** Writes the side effect in the handler's transaction; `then` runs before that transaction commits. */
    const effectThen = (then: () => Promise<void> | void): EventHandlers<TestEvent, PgTx> => ({
      'stock.reserved': async ({ tx }, event) => {
        if (event.aggregateId !== key) return;
        calls++;
        await tx.$executeRawUnsafe('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2::uuid)', group, event.eventId);
        await then();
      },
    });
    const first = await consumer(
      group,
      effectThen(async () => {
        inHandler.resolve();
        await release.promise; // "dies" here: the transaction never commits
      }),
    );
    const envelope = envelopeOf({ sku: key, quantity: 1 }, { type: 'stock.reserved', aggregateId: key });
    await produce(STOCK, key, JSON.stringify(envelope));
    await inHandler.promise;
    const stopping = first.stop();
    release.reject(new Error('process died'));
    await stopping;
    expect(await effects(group)).toHaveLength(0); // rolled back with the transaction

    const done = deferred();
    const second = await consumer(group, effectThen(() => done.resolve()));
    await done.promise;
    await delay(300);
    expect(calls).toBe(2); // redelivered after the crash
    expect((await effects(group)).map((e) => e.event_id)).toEqual([envelope.eventId]);
    await second.stop();
  });

  it('sends poison messages to <topic>.dlq at once and keeps going; skips types it does not handle', async () => {
    const group = `test-poison-${run}`;
    const handled: string[] = [];
    const poisoned = await consumer(group, {
      'order.placed': async (_ctx, event) => void (event.aggregateId.startsWith('poison-') && handled.push(event.eventId)),
    });
    const key = `poison-${run}`;
    const unknownVersion = envelopeOf({ orderId: 'o', seq: 1, totalMinor: 1 }, { version: 7, aggregateId: key });
    const badPayload = envelopeOf({ orderId: 'o', seq: 'one', totalMinor: 1 }, { aggregateId: key });
    const notHandled = envelopeOf({ orderId: 'o' }, { type: 'order.cancelled', aggregateId: key });
    const good = envelopeOf({ orderId: 'o', seq: 2, totalMinor: 1 }, { aggregateId: key });
    await produce(ORDERS, key, '{not json', { 'event-id': 'raw-1' });
    await produce(ORDERS, key, JSON.stringify({ hello: 'world' }), { 'event-id': 'raw-2' });
    await produce(ORDERS, key, JSON.stringify(unknownVersion));
    await produce(ORDERS, key, JSON.stringify(badPayload));
    await produce(ORDERS, key, JSON.stringify(notHandled));
    await produce(ORDERS, key, JSON.stringify(good));

    const dlq = () => collector.on(deadLetterTopic(ORDERS)).filter((m) => m.key === key);
    await waitFor(() => handled.includes(good.eventId) && dlq().length >= 4, 15_000, 'poison in DLQ and the good event handled');
    await delay(300);
    expect(handled).toEqual([good.eventId]);
    const letters = dlq();
    expect(letters.map((m) => m.headers['dlq-reason'])).toEqual(['invalid-envelope', 'invalid-envelope', 'unknown-version', 'invalid-payload']);
    expect(letters[0]?.value).toBe('{not json');
    expect(letters[0]?.headers['event-id']).toBe('raw-1'); // original headers kept
    expect(letters[2]?.headers['dlq-error']).toMatch(/Unknown version 7 of order.placed/);
    expect(letters[3]?.headers['dlq-error']).toMatch(/seq/);
    expect(letters.every((m) => m.headers['dlq-consumer-group'] === group && m.headers['dlq-source-topic'] === ORDERS)).toBe(true);
    await poisoned.stop();
  });

  it('retries a failing handler with exponential backoff, then dead-letters it and continues', async () => {
    const group = `test-retry-${run}`;
    const key = `retry-${run}`;
    const attemptsAt = new Map<string, number[]>();
    const doomed = envelopeOf({ orderId: 'doomed', seq: 1, totalMinor: 1 }, { aggregateId: key });
    const flaky = envelopeOf({ orderId: 'flaky', seq: 2, totalMinor: 1 }, { aggregateId: key });
    const retrying = await consumer(
      group,
      {
        'order.placed': async ({ tx }, event) => {
          if (event.aggregateId !== key) return;
          const times = attemptsAt.get(event.eventId) ?? [];
          times.push(Date.now());
          attemptsAt.set(event.eventId, times);
          // The effect is written first, so a failure must roll it back.
          await tx.$executeRawUnsafe('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2::uuid)', group, event.eventId);
          if (event.payload.orderId === 'doomed') throw new Error('downstream is broken');
          if (times.length < 3) throw new Error('transient');
        },
      },
      { maxAttempts: 4, backoff: { initialMs: 80, maxMs: 1_000 } },
    );
    await produce(ORDERS, key, JSON.stringify(doomed));
    await produce(ORDERS, key, JSON.stringify(flaky));

    const dlq = () => collector.on(deadLetterTopic(ORDERS)).filter((m) => m.key === key);
    await waitFor(async () => dlq().length === 1 && (await effects(group)).length === 1, 20_000, 'dead letter and the flaky effect');
    const letter = dlq()[0];
    expect(letter?.headers).toMatchObject({ 'dlq-reason': 'handler-failed', 'dlq-attempts': '4', 'dlq-error': 'Error: downstream is broken' });
    expect(JSON.parse(letter?.value ?? '{}')).toMatchObject({ eventId: doomed.eventId });

    const times = attemptsAt.get(doomed.eventId) ?? [];
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // Full-jitter-of-half: retry n waits between base/2 and base, base = 80 * 2^(n-1).
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);

    // The failed attempts left nothing behind; the flaky one succeeded once, on attempt 3.
    expect((await effects(group)).map((e) => e.event_id)).toEqual([flaky.eventId]);
    expect(attemptsAt.get(flaky.eventId)).toHaveLength(3);
    const processed = await prisma.query('SELECT event_id::text AS id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])', [
      group,
      [doomed.eventId, flaky.eventId],
    ]);
    expect(processed).toEqual([{ id: flaky.eventId }]);
    await retrying.stop();
  });
});
