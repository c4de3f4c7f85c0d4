/**
 * What a subgraph process exposes besides its requests, read on scrape:
 *
 * - its outbox: unpublished rows and the age of the oldest (one SQL on the
 *   partial index `outbox_events_unpublished_idx`, on a one-connection pool of
 *   its own so a saturated request pool cannot hide the backlog);
 * - its database pools (OpenTelemetry db.client.connection.* names), summed
 *   per database: every pg.Pool of the process, Prisma's adapter's included
 *   (see observeAllPgPools);
 * - Kafka: consumer lag per group, topic and partition, and every
 *   dead-letter topic's depth (kafkajs admin, cached 5 s);
 * - any other gauge a domain reads with one SQL (orders: sagas in flight).
 *
 * `domainMetrics(...)` bundles them for one subgraph; its `close()` ends
 * the connections it opened.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import { kafkaBrokers } from '@commerce/config';
import { deadLetterTopic, kafkaGroupId, TOPICS } from '@commerce/events';
import { gauge } from './registry.js';
import { scrapeSource, type ScrapeSource } from './scrape.js';

// ---------------------------------------------------------------------------
// Outbox

interface OutboxReading {
  backlog: number;
  oldestAgeSeconds: number;
}

const outboxSources = new Map<string, ScrapeSource<OutboxReading>>();

function ensureOutboxGauges(): void {
  gauge({
    name: 'outbox_backlog_events',
    help: 'Outbox rows not yet published to Kafka, per domain.',
    labelNames: ['domain'] as const,
    async collect() {
      const readings = await Promise.all([...outboxSources].map(async ([domain, source]) => [domain, await source.get()] as const));
      this.reset();
      for (const [domain, reading] of readings) if (reading) this.set({ domain }, reading.backlog);
    },
  });
  gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest unpublished outbox row (0 when none), per domain.',
    labelNames: ['domain'] as const,
    async collect() {
      const readings = await Promise.all([...outboxSources].map(async ([domain, source]) => [domain, await source.get()] as const));
      this.reset();
      for (const [domain, reading] of readings) if (reading) this.set({ domain }, reading.oldestAgeSeconds);
    },
  });
}

const OUTBOX_SQL = `SELECT count(*)::int AS backlog,
  COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
  FROM outbox_events WHERE published_at IS NULL`;

// ---------------------------------------------------------------------------
// SQL gauges (domain-specific readings)

export interface SqlGauge {
  name: string;
  help: string;
  /** Label columns of each row; the gauge's value is the column `value`. */
  labelNames: readonly string[];
  /** One cheap SELECT returning the label columns and `value`. */
  sql: string;
}

type SqlRows = { gauge: SqlGauge; rows: Record<string, unknown>[] }[];
const sqlSources = new Map<string, { gauges: SqlGauge[]; source: ScrapeSource<SqlRows> }>();

function ensureSqlGauge(definition: SqlGauge): void {
  gauge({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    async collect() {
      const all = await Promise.all([...sqlSources.values()].map(({ source }) => source.get()));
      this.reset();
      for (const results of all) {
        for (const { gauge: g, rows } of results ?? []) {
          if (g.name !== definition.name) continue;
          for (const row of rows) {
            const labels: Record<string, string> = {};
            for (const label of g.labelNames) labels[label] = String(row[label] ?? '');
            this.set(labels, Number(row.value ?? 0));
          }
        }
      }
    },
  });
}

// ---------------------------------------------------------------------------
// Database pool

/** What pg.Pool exposes about itself. */
export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const pools = new Map<string, PoolLike>();

function ensurePoolGauges(): void {
  gauge({
    name: 'db_client_connection_count',
    help: 'Connections in the pool by state (OpenTelemetry db.client.connection.count).',
    labelNames: ['db_client_connection_pool_name', 'db_client_connection_state'] as const,
    collect() {
      this.reset();
      for (const [name, pool] of allPools()) {
        this.set({ db_client_connection_pool_name: name, db_client_connection_state: 'idle' }, pool.idleCount);
        this.set({ db_client_connection_pool_name: name, db_client_connection_state: 'used' }, pool.totalCount - pool.idleCount);
      }
    },
  });
  gauge({
    name: 'db_client_connection_pending_requests',
    help: 'Requests waiting for a pooled connection (OpenTelemetry db.client.connection.pending_requests).',
    labelNames: ['db_client_connection_pool_name'] as const,
    collect() {
      this.reset();
      for (const [name, pool] of allPools()) this.set({ db_client_connection_pool_name: name }, pool.waitingCount);
    },
  });
}

interface TrackedPool extends PoolLike {
  ended?: boolean;
  ending?: boolean;
  options?: { database?: string; connectionString?: string; application_name?: string };
}

const trackedPools = new Set<WeakRef<TrackedPool>>();
let poolsInstrumented = false;

function databaseOf(pool: TrackedPool): string | undefined {
  const options = pool.options ?? {};
  if (options.application_name?.startsWith('metrics-')) return undefined;
  if (options.database) return options.database;
  if (!options.connectionString) return undefined;
  try {
    return new URL(options.connectionString).pathname.replace(/^\//, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prisma's pg driver adapter creates its pg.Pool inside the client, where no
 * subgraph can reach it. Every pg.Pool created in this process from now on
 * is therefore remembered (weakly), and reported summed per database under
 * the database's name. `pg.Pool` is replaced by a subclass that only adds
 * itself to that set; the adapter reads `pg.Pool` when it first connects,
 * after the subgraph definition (which calls this) was built.
 */
export function observeAllPgPools(): void {
  if (poolsInstrumented) return;
  poolsInstrumented = true;
  ensurePoolGauges();
  const module = pg as unknown as { Pool: new (...args: unknown[]) => TrackedPool };
  const Base = module.Pool;
  module.Pool = class ObservedPool extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      trackedPools.add(new WeakRef(this));
    }

    // A pool made before the swap is still a pg.Pool (`instanceof pg.Pool` decides
    // whether Prisma's adapter takes a pool or a config).
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Base;
    }
  };
}

function trackedByDatabase(): Map<string, PoolLike> {
  const sums = new Map<string, PoolLike>();
  for (const ref of trackedPools) {
    const pool = ref.deref();
    if (!pool || pool.ended || pool.ending) {
      trackedPools.delete(ref);
      continue;
    }
    const database = databaseOf(pool);
    if (!database) continue;
    const sum = sums.get(database) ?? { totalCount: 0, idleCount: 0, waitingCount: 0 };
    sum.totalCount += pool.totalCount;
    sum.idleCount += pool.idleCount;
    sum.waitingCount += pool.waitingCount;
    sums.set(database, sum);
  }
  return sums;
}

function allPools(): Map<string, PoolLike> {
  const all = trackedByDatabase();
  for (const [name, pool] of pools) all.set(name, pool);
  return all;
}

/** Reports a pg.Pool's total/idle/waiting connections under `name` (e.g. the domain). */
export function observePool(name: string, pool: PoolLike): () => void {
  ensurePoolGauges();
  pools.set(name, pool);
  return () => {
    if (pools.get(name) === pool) pools.delete(name);
  };
}

// ---------------------------------------------------------------------------
// Kafka

interface KafkaReading {
  lag: { group: string; topic: string; partition: number; lag: number }[];
  deadLetters: { topic: string; depth: number }[];
}

/** Every dead-letter topic of the platform (`<topic>.dlq`, packages/events). */
export const DEAD_LETTER_TOPICS: readonly string[] = Object.values(TOPICS).map(deadLetterTopic);

class KafkaCollector {
  readonly groups = new Set<string>();
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  readonly source: ScrapeSource<KafkaReading>;
  users = 0;

  constructor(private readonly brokers: string[]) {
    this.source = scrapeSource({ name: 'kafka', ttlMs: 5_000, timeoutMs: 4_000, load: () => this.load() });
  }

  private connect(): Promise<Admin> {
    this.connecting ??= (async () => {
      const kafka = new Kafka({ clientId: 'metrics', brokers: this.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 3_000, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
      const admin = kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async load(): Promise<KafkaReading> {
    const admin = await this.connect();
    const ends = new Map<string, Promise<Map<number, { high: number; low: number }>>>();
    const topicEnds = (topic: string) => {
      let found = ends.get(topic);
      if (!found) {
        found = admin.fetchTopicOffsets(topic).then((partitions) => new Map(partitions.map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
        ends.set(topic, found);
      }
      return found;
    };
    const lag: KafkaReading['lag'] = [];
    await Promise.all(
      [...this.groups].map(async (group) => {
        const committed = await admin.fetchOffsets({ groupId: group });
        for (const { topic, partitions } of committed) {
          const byPartition = await topicEnds(topic).catch(() => undefined);
          if (!byPartition) continue;
          for (const { partition, offset } of partitions) {
            const end = byPartition.get(partition);
            if (!end) continue;
            const at = Number(offset);
            // -1: the group has not committed on this partition yet; all retained messages are behind.
            lag.push({ group, topic, partition, lag: Math.max(0, end.high - (at < 0 ? end.low : at)) });
          }
        }
      }),
    );
    const deadLetters = await Promise.all(
      DEAD_LETTER_TOPICS.map(async (topic) => {
        const partitions = await topicEnds(topic).catch(() => undefined);
        let depth = 0;
        for (const { high, low } of partitions?.values() ?? []) depth += Math.max(0, high - low);
        return { topic, depth, known: partitions !== undefined };
      }),
    );
    return { lag, deadLetters: deadLetters.filter((d) => d.known).map(({ topic, depth }) => ({ topic, depth })) };
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

const kafkaCollectors = new Map<string, KafkaCollector>();

function ensureKafkaGauges(): void {
  gauge({
    name: 'messaging_kafka_consumer_lag',
    help: 'Messages a consumer group has yet to commit, per topic and partition (log end offset minus committed offset).',
    labelNames: ['messaging_consumer_group_name', 'messaging_destination_name', 'messaging_destination_partition_id'] as const,
    async collect() {
      const readings = await Promise.all([...kafkaCollectors.values()].map((c) => c.source.get()));
      this.reset();
      for (const reading of readings) {
        for (const { group, topic, partition, lag } of reading?.lag ?? []) {
          this.set({ messaging_consumer_group_name: group, messaging_destination_name: topic, messaging_destination_partition_id: String(partition) }, lag);
        }
      }
    },
  });
  gauge({
    name: 'messaging_dead_letter_messages',
    help: 'Messages held in a dead-letter topic (<topic>.dlq), summed over its partitions.',
    labelNames: ['messaging_destination_name'] as const,
    async collect() {
      const readings = await Promise.all([...kafkaCollectors.values()].map((c) => c.source.get()));
      this.reset();
      for (const reading of readings) for (const { topic, depth } of reading?.deadLetters ?? []) this.set({ messaging_destination_name: topic }, depth);
    },
  });
}

// ---------------------------------------------------------------------------
// One subgraph's bundle

export interface DomainMetricsOptions {
  /** The domain (outbox_events lives in its database). */
  domain: string;
  /** The domain's database; omit for a subgraph without one. */
  databaseUrl?: string;
  /** Whether the domain has an outbox (default true when databaseUrl is given). */
  outbox?: boolean;
  /** Consumer groups whose lag to report, as the subgraph names them (the prefix is added as the consumer adds it). */
  consumerGroups?: readonly string[];
  /** Report the dead-letter topics' depth and consumer lag (default: when consumerGroups is not empty). */
  kafka?: boolean;
  brokers?: string[];
  /** Domain gauges, each one SELECT on the domain's database, on scrape. */
  sqlGauges?: readonly SqlGauge[];
  /** The subgraph's own pg.Pool, when it has one. */
  pool?: PoolLike;
  /** Longest a database reading may take per scrape (default 2 s). */
  timeoutMs?: number;
}

export interface DomainMetrics {
  readonly domain: string;
  close(): Promise<void>;
}

/**
 * Registers a subgraph's scrape-time readings in the process registry. Each
 * database reading uses one connection of a pool of its own (max 1,
 * idle-closed after 30 s), opened at the first scrape.
 */
export function domainMetrics(options: DomainMetricsOptions): DomainMetrics {
  const { domain } = options;
  const closers: (() => Promise<void> | void)[] = [];
  let db: pg.Pool | undefined;
  const database = (): pg.Pool => {
    if (!options.databaseUrl) throw new Error(`${domain}: no database`);
    if (!db) {
      db = new pg.Pool({ connectionString: options.databaseUrl, max: 1, idleTimeoutMillis: 30_000, application_name: `metrics-${domain}`, statement_timeout: options.timeoutMs ?? 2_000 });
      // An idle connection dropped by the server: the next scrape reconnects.
      db.on('error', () => undefined);
    }
    return db;
  };
  const timeoutMs = options.timeoutMs ?? 2_000;

  if (options.databaseUrl && (options.outbox ?? true)) {
    ensureOutboxGauges();
    outboxSources.set(
      domain,
      scrapeSource({
        name: `outbox:${domain}`,
        timeoutMs,
        load: async () => {
          const { rows } = await database().query<{ backlog: number; oldest: number }>(OUTBOX_SQL);
          return { backlog: rows[0]?.backlog ?? 0, oldestAgeSeconds: rows[0]?.oldest ?? 0 };
        },
      }),
    );
    closers.push(() => {
      outboxSources.get(domain)?.close();
      outboxSources.delete(domain);
    });
  }

  const sqlGauges = options.sqlGauges ?? [];
  if (options.databaseUrl && sqlGauges.length > 0) {
    for (const definition of sqlGauges) ensureSqlGauge(definition);
    const source = scrapeSource<SqlRows>({
      name: `sql:${domain}`,
      timeoutMs,
      load: async () => {
        const results: SqlRows = [];
        for (const g of sqlGauges) results.push({ gauge: g, rows: (await database().query<Record<string, unknown>>(g.sql)).rows });
        return results;
      },
    });
    sqlSources.set(domain, { gauges: [...sqlGauges], source });
    closers.push(() => {
      source.close();
      sqlSources.delete(domain);
    });
  }

  if (options.pool) closers.push(observePool(domain, options.pool));
  else observeAllPgPools();

  // As the consumers name them: KAFKA_GROUP_PREFIX, else `<APP_ENV>.` outside production.
  const groups = (options.consumerGroups ?? []).map(kafkaGroupId);
  if (options.kafka ?? groups.length > 0) {
    ensureKafkaGauges();
    const brokers = options.brokers ?? kafkaBrokers();
    const key = brokers.join(',');
    let collector = kafkaCollectors.get(key);
    if (!collector) {
      collector = new KafkaCollector(brokers);
      kafkaCollectors.set(key, collector);
    }
    const own = collector;
    own.users += 1;
    for (const group of groups) own.groups.add(group);
    closers.push(async () => {
      for (const group of groups) own.groups.delete(group);
      own.users -= 1;
      if (own.users === 0) {
        kafkaCollectors.delete(key);
        own.source.close();
        await own.close();
      }
    });
  }

  return {
    domain,
    async close() {
      for (const close of closers.reverse()) await close();
      await db?.end().catch(() => undefined);
    },
  };
}
