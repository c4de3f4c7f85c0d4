/**
 * Test plumbing: a scratch database with just the outbox tables, a tiny
 * Prisma-shaped adapter around `pg` (the library only needs `$transaction`
 * and `$executeRawUnsafe`), unique Kafka topics per run, and a collector that
 * reads a topic from the beginning with read_committed isolation.
 */
import { randomUUID } from 'node:crypto';
import { postgresServerUrl } from '@commerce/config';
import { Kafka, logLevel, type Admin, type Consumer, type IHeaders } from 'kafkajs';
import pg from 'pg';
import { OUTBOX_TABLES_DDL, type TransactionOptions } from '../src/index.js';

/** Overridable so two runs (two engineers, or CI shards) never share the scratch database. */
export const TEST_DB = process.env.EVENTS_TEST_DB ?? 'ecommerce_events_lib_test';
export const testDatabaseUrl = (): string => `${postgresServerUrl()}/${TEST_DB}`;

/** Creates the scratch database (once) and the outbox tables; empties them. */
export async function prepareDatabase(): Promise<void> {
  const server = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await server.connect();
  try {
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DB]);
    if (exists.rowCount === 0) {
      await server.query(`CREATE DATABASE ${TEST_DB}`).catch((error: unknown) => {
        if (!/already exists/.test(String(error))) throw error;
      });
    }
  } finally {
    await server.end();
  }
  const db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(OUTBOX_TABLES_DDL);
    await db.query(`CREATE TABLE IF NOT EXISTS test_effects (
      id BIGSERIAL PRIMARY KEY, consumer TEXT NOT NULL, event_id UUID NOT NULL, note TEXT NOT NULL DEFAULT '')`);
    // Keep the sequence: a stale relay marker from an earlier run must not match new positions.
    await db.query('TRUNCATE outbox_events, processed_events, test_effects');
  } finally {
    await db.end();
  }
}

/** The transaction client handed to appendToOutbox and handlers. */
export class PgTx {
  constructor(readonly client: pg.PoolClient) {}
  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    const result = await this.client.query(query, values);
    return result.rowCount ?? 0;
  }
  /** Tagged template like Prisma's: values become $1..$n parameters. */
  async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
    const text = strings.reduce((sql, part, i) => `${sql}$${i}${part}`);
    return this.$executeRawUnsafe(text, ...values);
  }
  async $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T[]> {
    const result = await this.client.query(query, values);
    return result.rows as T[];
  }
}

/** Prisma's interactive-transaction surface over a pg pool. */
export class PgPrisma {
  readonly pool: pg.Pool;
  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 5 });
  }
  async $transaction<R>(fn: (tx: PgTx) => Promise<R>, _options?: TransactionOptions): Promise<R> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgTx(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  async query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }
  async $disconnect(): Promise<void> {
    await this.pool.end();
  }
}

export const kafka = new Kafka({ clientId: 'events-lib-test', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });

export async function createTopics(admin: Admin, topics: string[], numPartitions = 3): Promise<void> {
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

function headers(raw: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first.toString();
  }
  return out;
}

/** Reads topics from the beginning (read_committed, the kafkajs default) into memory. */
export class Collector {
  readonly messages: CollectedMessage[] = [];
  #consumer: Consumer;
  constructor(readonly topics: string[]) {
    this.#consumer = kafka.consumer({ groupId: `collector-${randomUUID()}`, maxWaitTimeInMs: 200 });
  }
  async start(): Promise<this> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: this.topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => {
      const off = this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await this.#consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value?.toString() ?? '',
          headers: headers(message.headers),
        });
      },
    });
    await joined;
    return this;
  }
  on(topic: string): CollectedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }
  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
