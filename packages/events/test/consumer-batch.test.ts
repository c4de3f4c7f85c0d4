/**
 * startConsumer processes a fetched batch in chunk transactions: one claim
 * statement and one BEGIN/COMMIT per chunk, handlers in offset order, and a
 * one-event-at-a-time fallback when a chunk fails. Real PostgreSQL and Kafka.
 *
 * Every test produces its events BEFORE its consumer joins, on a topic of its
 * own with one partition, so the consumer's first fetch holds all of them in
 * one batch. The scratch database is this file's own and is never truncated
 * (groups are unique per run), so a parallel run of another test file or of
 * another engineer cannot pull rows from under it.
 */
import { randomUUID } from 'node:crypto';
import { postgresServerUrl } from '@commerce/config';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, trace } from '@opentelemetry/api';
import type { Admin, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventRegistry,
  deadLetterTopic,
  defineEvent,
  kafkaGroupId,
  KafkaLogLevel,
  OUTBOX_TABLES_DDL,
  startConsumer,
  type ConsumerOptions,
  type EventConsumer,
  type EventHandlers,
  type EventLogger,
  type TransactionOptions,
  type TransactionRunner,
} from '../src/index.js';
import { Collector, createTopics, delay, kafka, PgPrisma, PgTx, TEST_DB, waitFor } from './helpers.js';

const DB = `${TEST_DB}_batch`;
const databaseUrl = (): string => `${postgresServerUrl()}/${DB}`;
const run = randomUUID().slice(0, 8);
const brokers = ['127.0.0.1:9092'];
const quiet = { kafkaLogLevel: KafkaLogLevel.NOTHING } as const;
/** Short backoffs keep the retry tests quick. */
const fastRetries = { maxAttempts: 3, backoff: { initialMs: 20, maxMs: 100 } } as const;

let prisma: PgPrisma;
let admin: Admin;
let producer: Producer;
const topics: string[] = [];
const running: EventConsumer[] = [];
const collectors: Collector[] = [];

/** Creates the database and its tables if missing; concurrent runs serialise on an advisory lock. */
async function prepareOwnDatabase(): Promise<void> {
  const server = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await server.connect();
  try {
    await server.query('SELECT pg_advisory_lock(hashtext($1))', [DB]);
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
    if (exists.rowCount === 0) await server.query(`CREATE DATABASE ${DB}`);
    const db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
    try {
      await db.query(OUTBOX_TABLES_DDL);
      await db.query(`CREATE TABLE IF NOT EXISTS test_effects (
        id BIGSERIAL PRIMARY KEY, consumer TEXT NOT NULL, event_id UUID NOT NULL, note TEXT NOT NULL DEFAULT '')`);
    } finally {
      await db.end();
    }
  } finally {
    await server.end();
  }
}

/** Counts the consumer's transactions and statements; otherwise plain PgPrisma. */
class CountingRunner implements TransactionRunner<PgTx> {
  transactions = 0;
  statements: string[] = [];
  async $transaction<R>(fn: (tx: PgTx) => Promise<R>, options?: TransactionOptions): Promise<R> {
    this.transactions++;
    return prisma.$transaction((tx) => fn(new CountingTx(tx.client, this.statements)), options);
  }
  claims(): number {
    return this.statements.filter((sql) => sql.startsWith('INSERT INTO processed_events')).length;
  }
}

class CountingTx extends PgTx {
  constructor(
    client: pg.PoolClient,
    readonly statements: string[],
  ) {
    super(client);
  }
  override $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    this.statements.push(query);
    return super.$executeRawUnsafe(query, ...values);
  }
  override $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T[]> {
    this.statements.push(query);
    return super.$queryRawUnsafe<T>(query, ...values);
  }
}

function memoryLogger(): EventLogger & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A topic of its own (one partition) and everything a test needs around it. */
async function scenario(name: string) {
  const topic = `events-lib-batch.${run}.${name}`;
  topics.push(topic, deadLetterTopic(topic));
  await createTopics(admin, [topic, deadLetterTopic(topic)], 1);
  const OrderPlaced = defineEvent({
    type: 'order.placed',
    version: 1,
    topic,
    schema: z.object({ orderId: z.string(), seq: z.number().int(), totalMinor: z.number().int() }),
  });
  const registry = createEventRegistry([OrderPlaced]);
  type Events = typeof OrderPlaced;
  const group = `test-batch-${name}-${run}`;
  const runner = new CountingRunner();
  const logger = memoryLogger();

  const envelope = (seq: number, overrides: object = {}) => ({
    eventId: randomUUID(),
    type: 'order.placed',
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: 'order-1',
    payload: { orderId: 'order-1', seq, totalMinor: 100 },
    ...overrides,
  });
  return {
    topic,
    group,
    runner,
    logger,
    envelope,
    /** Produces envelopes with one key (so one partition, in this order), in one request. */
    async produce(envelopes: { eventId: string }[]): Promise<void> {
      await producer.send({
        topic,
        acks: -1,
        messages: envelopes.map((e) => ({ key: 'order-1', value: JSON.stringify(e), headers: { 'event-id': e.eventId } })),
      });
    },
    async start(handlers: EventHandlers<Events, PgTx>, options: Partial<ConsumerOptions<PgTx, Events>> = {}): Promise<EventConsumer> {
      const consumer = await startConsumer({ group, brokers, prisma: runner, registry, logger, fromBeginning: true, ...quiet, ...options, handlers });
      running.push(consumer);
      return consumer;
    },
    /** The handler's side effect: a row per handled event, in commit order. */
    async effect(tx: PgTx, eventId: string): Promise<void> {
      await tx.$executeRawUnsafe('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2::uuid)', group, eventId);
    },
    async effects(): Promise<string[]> {
      const rows = await prisma.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM test_effects WHERE consumer = $1 ORDER BY id', [group]);
      return rows.map((r) => r.event_id);
    },
    async processed(): Promise<string[]> {
      const rows = await prisma.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM processed_events WHERE consumer = $1', [group]);
      return rows.map((r) => r.event_id);
    },
    async committedOffset(): Promise<string | undefined> {
      const committed = await admin.fetchOffsets({ groupId: kafkaGroupId(group), topics: [topic] });
      return committed[0]?.partitions[0]?.offset;
    },
    async deadLetters(): Promise<Collector> {
      const collector = await new Collector([deadLetterTopic(topic)]).start();
      collectors.push(collector);
      return collector;
    },
  };
}

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  await prepareOwnDatabase();
  prisma = new PgPrisma(databaseUrl());
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await Promise.all(collectors.map((c) => c.stop()));
  await producer?.disconnect();
  await admin?.deleteTopics({ topics }).catch(() => undefined);
  await admin?.disconnect();
  await prisma?.$disconnect();
  context.disable();
});

describe('batch consumer', () => {
  it('handles a burst on one partition exactly once each, in order, in a few transactions, under the producer trace', async () => {
    const s = await scenario('burst');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const events = Array.from({ length: 60 }, (_, i) => s.envelope(i + 1, i === 30 ? { traceparent } : {}));
    await s.produce(events);
    const seen: number[] = [];
    let traceId: string | undefined;
    await s.start(
      {
        'order.placed': async ({ tx }, event) => {
          seen.push(event.payload.seq);
          if (event.traceparent) traceId = trace.getSpanContext(context.active())?.traceId;
          await s.effect(tx, event.eventId);
        },
      },
      { maxEventsPerTransaction: 25, commitIntervalMs: 200 },
    );
    await waitFor(async () => (await s.effects()).length >= events.length, 15_000, 'the burst');
    await delay(300);

    expect(await s.effects()).toEqual(events.map((e) => e.eventId));
    expect(seen).toEqual(events.map((_, i) => i + 1));
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    // 60 events, at most 25 per transaction: 3 chunks when the fetch holds them all.
    expect(s.runner.transactions).toBeGreaterThanOrEqual(3);
    expect(s.runner.transactions).toBeLessThanOrEqual(6);
    // One claim statement per transaction, however many events it holds.
    expect(s.runner.claims()).toBe(s.runner.transactions);
    // Offsets reach Kafka on the interval, while the consumer idles.
    await waitFor(async () => (await s.committedOffset()) === String(events.length), 5_000, 'the offset commit');
  });

  it('one failing event: its neighbours are handled exactly once and in order, it goes to the DLQ after maxAttempts', async () => {
    const s = await scenario('poison');
    const dlq = await s.deadLetters();
    const events = Array.from({ length: 6 }, (_, i) => s.envelope(i + 1));
    const bad = events[2]?.eventId;
    await s.produce(events);
    const badAttempts: number[] = [];
    await s.start(
      {
        'order.placed': async ({ tx }, event) => {
          await s.effect(tx, event.eventId); // written first, so the failure must roll it back
          if (event.eventId === bad) {
            badAttempts.push(Date.now());
            throw new Error('downstream is broken');
          }
        },
      },
      fastRetries,
    );
    await waitFor(() => dlq.messages.length >= 1, 15_000, 'the dead letter');
    await waitFor(async () => (await s.effects()).length >= 5, 15_000, 'the good events');
    await delay(300);

    expect(await s.effects()).toEqual(events.filter((e) => e.eventId !== bad).map((e) => e.eventId));
    expect(badAttempts).toHaveLength(fastRetries.maxAttempts); // the chunk's attempt counts as the first
    expect(dlq.messages).toHaveLength(1);
    expect(dlq.messages[0]?.headers).toMatchObject({
      'event-id': bad,
      'dlq-reason': 'handler-failed',
      'dlq-attempts': String(fastRetries.maxAttempts),
      'dlq-error': 'Error: downstream is broken',
      'dlq-consumer-group': s.group,
      'dlq-source-topic': s.topic,
    });
    expect(await s.processed()).not.toContain(bad);
    const fallbacks = s.logger.lines.filter((l) => l.msg.startsWith('chunk transaction failed'));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.level).toBe('warn');
  });

  it('handles the same event id twice in one batch once', async () => {
    const s = await scenario('dupe');
    const [first, second] = [s.envelope(1), s.envelope(2)];
    await s.produce([first, first, second, first]);
    const calls: string[] = [];
    await s.start({
      'order.placed': async ({ tx }, event) => {
        calls.push(event.eventId);
        await s.effect(tx, event.eventId);
      },
    });
    await waitFor(async () => (await s.effects()).length >= 2, 15_000, 'both events');
    await delay(300);

    expect(calls).toEqual([first.eventId, second.eventId]);
    expect(await s.effects()).toEqual([first.eventId, second.eventId]);
    expect(s.runner.transactions).toBe(1);
  });

  it('commits the offsets when stopped; a redelivery after stop/start has no second effect', async () => {
    const s = await scenario('redeliver');
    const events = Array.from({ length: 10 }, (_, i) => s.envelope(i + 1));
    await s.produce(events);
    const handle = async ({ tx }: { tx: PgTx }, event: { eventId: string }) => s.effect(tx, event.eventId);
    // A long interval: only stop() commits the offsets.
    const first = await s.start({ 'order.placed': handle }, { commitIntervalMs: 60_000 });
    await waitFor(async () => (await s.effects()).length >= events.length, 15_000, 'the first delivery');
    await first.stop();
    expect(await s.committedOffset()).toBe(String(events.length));

    // Rewound, as after a crash before the offset commit: everything comes again.
    await admin.setOffsets({ groupId: kafkaGroupId(s.group), topic: s.topic, partitions: [{ partition: 0, offset: '0' }] });
    const transactionsBefore = s.runner.transactions;
    const calls: string[] = [];
    await s.start({
      'order.placed': async ({ tx }, event) => {
        calls.push(event.eventId);
        await handle({ tx }, event);
      },
    });
    const next = s.envelope(11);
    await s.produce([next]);
    await waitFor(() => calls.includes(next.eventId), 15_000, 'the new event');
    await delay(300);

    expect(calls).toEqual([next.eventId]); // the replayed ten were skipped
    expect(await s.effects()).toEqual([...events, next].map((e) => e.eventId));
    // The replayed ten cost one claim transaction, not ten.
    expect(s.runner.transactions - transactionsBefore).toBeLessThanOrEqual(3);
  });

  it('a transient failure inside a batch is retried and handled exactly once', async () => {
    const s = await scenario('transient');
    const dlq = await s.deadLetters();
    const events = Array.from({ length: 5 }, (_, i) => s.envelope(i + 1));
    const flaky = events[3]?.eventId;
    await s.produce(events);
    const calls = new Map<string, number>();
    await s.start(
      {
        'order.placed': async ({ tx }, event) => {
          calls.set(event.eventId, (calls.get(event.eventId) ?? 0) + 1);
          await s.effect(tx, event.eventId);
          if (event.eventId === flaky && calls.get(event.eventId) === 1) throw new Error('transient');
        },
      },
      fastRetries,
    );
    await waitFor(async () => (await s.effects()).length >= events.length, 15_000, 'every event');
    await delay(300);

    expect(await s.effects()).toEqual(events.map((e) => e.eventId));
    expect(calls.get(flaky ?? '')).toBe(2);
    expect(dlq.messages).toHaveLength(0);
    expect((await s.processed()).sort()).toEqual(events.map((e) => e.eventId).sort());
  });

  it('a chunk stops starting handlers after half the transaction timeout; the rest follow in the next one', async () => {
    const s = await scenario('budget');
    const events = Array.from({ length: 8 }, (_, i) => s.envelope(i + 1));
    await s.produce(events);
    // A 200 ms timeout gives a 100 ms budget: about four 30 ms handlers per chunk.
    await s.start(
      {
        'order.placed': async ({ tx }, event) => {
          await delay(30);
          await s.effect(tx, event.eventId);
        },
      },
      { transactionOptions: { timeout: 200 } },
    );
    await waitFor(async () => (await s.effects()).length >= events.length, 15_000, 'every event');
    await delay(300);

    expect(await s.effects()).toEqual(events.map((e) => e.eventId));
    expect((await s.processed()).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(s.runner.transactions).toBeGreaterThanOrEqual(2);
    expect(s.runner.transactions).toBeLessThan(events.length);
    // Claims of the events a chunk did not get to were given back.
    expect(s.runner.statements.some((sql) => sql.startsWith('DELETE FROM processed_events'))).toBe(true);
  });
});
