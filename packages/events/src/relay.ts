/**
 * Outbox relay: publishes committed outbox_events rows of one domain database
 * to Kafka, exactly once, in position order. See README.md ("Exactly once
 * from the outbox to Kafka") for the argument; the short version:
 *
 * - One active relay per database (a session-level pg advisory lock). Others
 *   stand by and take over when the leader's connection goes away.
 * - Every batch is ONE Kafka transaction (transactional.id per domain and
 *   database) that carries the messages AND a marker: an offset commit for
 *   the relay's own consumer-group id whose metadata lists the batch's outbox
 *   positions. Messages and marker become visible atomically, or not at all.
 * - Only after the Kafka commit are the rows marked published in PostgreSQL.
 *   If the relay dies in between, its successor (1) initialises the same
 *   transactional.id, which fences the dead producer and completes or aborts
 *   its open transaction, then (2) reads the marker and marks exactly those
 *   rows published without sending them again.
 * - Consumers read with isolation read_committed (the kafkajs default), so
 *   aborted attempts are invisible to them.
 */
import { randomUUID } from 'node:crypto';
import type { Domain } from '@commerce/config';
import { Partitioners, type Admin, type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import pg from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { createKafka, type KafkaClientOptions } from './kafka.js';
import { errorInfo, errorMessage, silentLogger, type EventLogger } from './logger.js';
import { OUTBOX_NOTIFY_CHANNEL } from './outbox.js';
import { DEFAULT_PARTITIONS, OUTBOX_MARKER_TOPIC } from './topics.js';

/** Advisory-lock namespace for relay leadership (first key of pg_try_advisory_lock(int, int)). */
export const OUTBOX_RELAY_LOCK_CLASS = 0x0b0e_0002;

/**
 * Kafka limits offset-commit metadata to offset.metadata.max.bytes (4096 by
 * default). A batch is cut short when its marker would exceed this.
 */
const MAX_MARKER_BYTES = 3_000;

/**
 * Session settings of the relay's own connections. Unpublished rows are found
 * through the partial index on position (published_at IS NULL). Publishing a
 * row leaves a dead entry in that index until VACUUM; an ordered index scan
 * marks such entries dead the first time it meets them, so the next poll skips
 * them. PostgreSQL prefers a bitmap scan here, which never marks them: each
 * poll then revisited every row published since the last vacuum (1–4 ms a
 * poll in bench:checkout, growing with the load). Only the relay's queries run
 * on these connections.
 */
export const RELAY_SESSION_OPTIONS = '-c enable_bitmapscan=off';

/** The relay's poll: the oldest unpublished rows, $1 at most. */
export const UNPUBLISHED_BATCH_SQL = `SELECT position::text AS position, event_id::text AS event_id, topic, event_type, aggregate_id, envelope::text AS envelope
    FROM outbox_events
   WHERE published_at IS NULL
   ORDER BY outbox_events.position -- the BIGINT column, not the text alias: '100' < '99'
   LIMIT $1`;

/** A batch as seen by the fault-injection hooks. */
export interface RelayBatchInfo {
  /** Outbox positions, ascending, as decimal strings (BIGINT). */
  positions: readonly string[];
  eventIds: readonly string[];
}

/**
 * Fault-injection points for tests. A hook that throws is treated like any
 * other failure at that point; a hook may also kill the process.
 */
export interface OutboxRelayHooks {
  /** Messages and marker are in the Kafka transaction, which is not committed yet. */
  beforeCommit?(batch: RelayBatchInfo): void | Promise<void>;
  /** The Kafka transaction is committed; the rows are not yet marked published. */
  beforeMarkPublished?(batch: RelayBatchInfo): void | Promise<void>;
}

export interface OutboxRelayOptions extends Pick<KafkaClientOptions, 'kafkaLogLevel' | 'kafkaConfig'> {
  domain: Domain;
  /** The domain's own database (holds outbox_events). */
  databaseUrl: string;
  brokers?: string[];
  logger?: EventLogger;
  /**
   * Fallback poll interval. Normally a NOTIFY from appendToOutbox wakes the
   * relay at once; polling covers notifications lost while reconnecting.
   */
  pollIntervalMs?: number;
  /** Rows per Kafka transaction (upper bound; the marker size may cut it shorter). */
  batchSize?: number;
  /**
   * How long to let rows gather after a wake-up before reading a batch
   * (default 50 ms). Every batch is a Kafka transaction of several broker
   * requests plus commit markers on each partition it touched, so under load
   * a short wait buys far fewer, larger transactions for a few ms of latency.
   */
  lingerMs?: number;
  /** How often a standby relay tries to become the leader. */
  standbyRetryMs?: number;
  /** Delays between attempts after a failure (Kafka or database). */
  backoff?: BackoffOptions;
  /**
   * Identity of this outbox for Kafka: the transactional.id and the marker's
   * consumer-group id. Default `outbox-relay.<domain>.<current_database()>`,
   * so a dev and a test database of one domain never share (and never fence
   * each other or read each other's markers).
   */
  relayId?: string;
  /** Topic the marker offset is committed against (must exist; created if missing). */
  markerTopic?: string;
  hooks?: OutboxRelayHooks;
}

export interface OutboxRelay {
  /** Stops publishing, closes Kafka and PostgreSQL connections. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves once every row committed before the call is published (by this
   * relay or by whichever instance is the leader). Rejects after `timeoutMs`
   * (default 30 s) or if the relay stops.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
}

interface OutboxRow {
  position: string;
  event_id: string;
  topic: string;
  event_type: string;
  aggregate_id: string;
  envelope: string;
}

interface Marker {
  v: 1;
  /** Positions of the batch as ranges: "5-9,12,15-20". */
  r: string;
  /** Highest position and its event id: lets a reader check the marker belongs to this database. */
  p: string;
  e: string;
}

/** Compact, exact encoding of ascending positions as ranges. */
export function encodePositionRanges(positions: readonly string[]): string {
  const parts: string[] = [];
  let start: bigint | undefined;
  let prev: bigint | undefined;
  for (const text of positions) {
    const value = BigInt(text);
    if (start !== undefined && prev !== undefined && value === prev + 1n) {
      prev = value;
      continue;
    }
    if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = value;
    prev = value;
  }
  if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
  return parts.join(',');
}

export function decodePositionRanges(ranges: string): string[] {
  if (!ranges) return [];
  return ranges.split(',').flatMap((part) => {
    const [from, to] = part.split('-');
    if (from === undefined || !/^\d+$/.test(from) || (to !== undefined && !/^\d+$/.test(to))) {
      throw new Error(`Invalid position range "${part}"`);
    }
    const out: string[] = [];
    for (let value = BigInt(from); value <= BigInt(to ?? from); value++) out.push(value.toString());
    return out;
  });
}

function encodeMarker(rows: readonly OutboxRow[]): string {
  const last = rows.at(-1);
  if (!last) throw new Error('empty batch');
  const marker: Marker = { v: 1, r: encodePositionRanges(rows.map((r) => r.position)), p: last.position, e: last.event_id };
  return JSON.stringify(marker);
}

function decodeMarker(metadata: string | null | undefined): Marker | undefined {
  if (!metadata) return undefined;
  try {
    const value = JSON.parse(metadata) as Partial<Marker>;
    if (value.v === 1 && typeof value.r === 'string' && typeof value.p === 'string' && typeof value.e === 'string') {
      return value as Marker;
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** The longest prefix of `rows` whose marker fits into the offset metadata limit. */
function fitBatch(rows: readonly OutboxRow[]): OutboxRow[] {
  let count = rows.length;
  while (count > 1 && Buffer.byteLength(encodeMarker(rows.slice(0, count))) > MAX_MARKER_BYTES) {
    count = Math.max(1, Math.floor(count / 2));
  }
  return rows.slice(0, count);
}

function toMessage(row: OutboxRow, domain: string): Message {
  const envelope = JSON.parse(row.envelope) as { version?: unknown; traceparent?: unknown; tracestate?: unknown };
  const headers: IHeaders = {
    'event-type': row.event_type,
    'event-id': row.event_id,
    'event-version': String(envelope.version ?? ''),
    'outbox-position': row.position,
    'outbox-domain': domain,
    'content-type': 'application/json',
  };
  if (typeof envelope.traceparent === 'string') headers.traceparent = envelope.traceparent;
  if (typeof envelope.tracestate === 'string') headers.tracestate = envelope.tracestate;
  return { key: row.aggregate_id, value: row.envelope, headers };
}

/** True for kafkajs errors meaning another producer with our transactional.id took over. */
function isFenced(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  const text = errorMessage(error);
  return (
    type === 'PRODUCER_FENCED' ||
    type === 'INVALID_PRODUCER_EPOCH' ||
    /fenced|INVALID_PRODUCER_EPOCH/i.test(text)
  );
}

/** Wakes a waiting loop early (NOTIFY, flush, stop); a pending wake-up is not lost. */
class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }
  async wait(ms: number): Promise<void> {
    if (!this.#pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        const self = this;
        this.#resolve = done;
        function done(): void {
          clearTimeout(timer);
          self.#resolve = undefined;
          resolve();
        }
      });
    }
    this.#pending = false;
  }
}

export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const { domain, databaseUrl } = options;
  const logger = (options.logger ?? silentLogger);
  const log = { component: 'outbox-relay', domain };
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const lingerMs = Math.max(0, options.lingerMs ?? 50);
  const standbyRetryMs = options.standbyRetryMs ?? 2_000;
  const backoff: BackoffOptions = { initialMs: 200, maxMs: 30_000, ...options.backoff };
  const markerTopic = options.markerTopic ?? OUTBOX_MARKER_TOPIC;
  const hooks = options.hooks ?? {};
  const instanceId = randomUUID().slice(0, 8);

  const kafka: Kafka = createKafka({
    clientId: `outbox-relay-${domain}-${instanceId}`,
    brokers: options.brokers,
    logger,
    kafkaLogLevel: options.kafkaLogLevel,
    kafkaConfig: options.kafkaConfig,
  });

  const wakeup = new Wakeup();
  const abort = new AbortController();
  let stopped = false;

  // Connection state. The pg session that holds the leadership lock is also
  // the one that LISTENs and runs every relay query: losing it loses the lock,
  // and every later query fails, so a relay can never act as leader without it.
  let client: pg.Client | undefined;
  let clientBroken = false;
  let leader = false;
  let relayId = options.relayId;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let markerTopicReady = false;
  let needsReconcile = true;
  /** Positions committed on Kafka but not yet marked in this process (e.g. the mark failed). */
  let committedUnmarked: string[] | undefined;

  async function connectDb(): Promise<pg.Client> {
    const next = new pg.Client({
      connectionString: databaseUrl,
      application_name: `outbox-relay:${domain}:${instanceId}`,
      options: RELAY_SESSION_OPTIONS,
      keepAlive: true,
      query_timeout: 60_000,
    });
    next.on('error', (error) => {
      // Emitted for connection loss while idle; the next query fails too.
      if (!stopped) logger.warn({ ...log, err: errorInfo(error) }, 'outbox relay lost its database connection');
      clientBroken = true;
      wakeup.notify();
    });
    next.on('end', () => {
      clientBroken = true;
    });
    next.on('notification', (message) => {
      if (message.channel === OUTBOX_NOTIFY_CHANNEL) wakeup.notify();
    });
    clientBroken = false;
    await next.connect();
    await next.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    if (!relayId) {
      const result = await next.query<{ db: string }>('SELECT current_database() AS db');
      relayId = `outbox-relay.${domain}.${result.rows[0]?.db ?? 'unknown'}`;
    }
    return next;
  }

  async function dropDb(): Promise<void> {
    const old = client;
    client = undefined;
    if (leader) logger.info({ ...log, relayId }, 'outbox relay gave up leadership');
    leader = false;
    // Closing the session releases the advisory lock, so a standby can take over.
    await old?.end().catch(() => undefined);
  }

  async function dropKafka(): Promise<void> {
    const oldProducer = producer;
    producer = undefined;
    needsReconcile = true;
    await oldProducer?.disconnect().catch(() => undefined);
  }

  async function ensureAdmin(): Promise<Admin> {
    if (!admin) {
      const next = kafka.admin();
      await next.connect();
      admin = next;
    }
    if (!markerTopicReady) {
      const topics = await admin.listTopics();
      if (!topics.includes(markerTopic)) {
        // Offsets can only be committed for an existing topic. The topic holds
        // no messages; it is only a place for the relays' marker offsets. The
        // infrastructure normally creates it (ALL_TOPICS), with the same shape.
        await admin.createTopics({ topics: [{ topic: markerTopic, numPartitions: DEFAULT_PARTITIONS }], waitForLeaders: true }).catch((error: unknown) => {
          if (!/already exists/i.test(errorMessage(error))) throw error;
        });
      }
      markerTopicReady = true;
    }
    return admin;
  }

  async function createProducer(id: string): Promise<Producer> {
    const next = kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded: a failed batch is aborted and retried as a whole by the relay
      // loop (with backoff and bookkeeping), which an endless retry would hide.
      // Starts short: right after a commit the coordinator is still writing the
      // previous transaction's markers and answers the next batch's
      // AddPartitionsToTxn with CONCURRENT_TRANSACTIONS for a few ms (the Java
      // producer retries that after 20 ms; kafkajs' default 100 ms, doubling,
      // throttled every relay under load).
      retry: { retries: 8, initialRetryTime: 10, maxRetryTime: 1_000 },
    });
    try {
      await next.connect();
      // Initialise the transactional id now rather than lazily: this fences
      // any earlier producer with this id (a crashed or paused relay) and makes
      // the broker complete or abort its open transaction, so the marker we
      // read next is final.
      const init = await next.transaction();
      await init.abort();
      return next;
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async function markPublished(db: pg.Client, positions: readonly string[]): Promise<number> {
    const result = await db.query(
      'UPDATE outbox_events SET published_at = now() WHERE position = ANY($1::bigint[]) AND published_at IS NULL',
      [positions],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Brings the database in line with Kafka before anything is sent: rows this
   * process knows are committed, then rows the last Kafka transaction (of any
   * previous incarnation) committed according to its marker.
   */
  async function reconcile(db: pg.Client, id: string): Promise<void> {
    if (committedUnmarked) {
      await markPublished(db, committedUnmarked);
      committedUnmarked = undefined;
    }
    const kafkaAdmin = await ensureAdmin();
    const offsets = await kafkaAdmin.fetchOffsets({ groupId: id, topics: [markerTopic] });
    const entry = offsets.find((o) => o.topic === markerTopic)?.partitions.find((p) => p.partition === 0);
    const marker = decodeMarker(entry?.metadata);
    if (!marker) return;
    const check = await db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM outbox_events WHERE position = $1::bigint', [
      marker.p,
    ]);
    const row = check.rows[0];
    if (!row) return; // already pruned: then everything up to it was published long ago
    if (row.event_id !== marker.e) {
      // A marker written for another database under the same relay id (a
      // misconfiguration): applying it would mark unrelated rows. Ignore it.
      logger.error({ ...log, relayId: id, marker }, 'outbox relay marker does not match this database; ignoring it (is relayId shared?)');
      return;
    }
    const marked = await markPublished(db, decodePositionRanges(marker.r));
    if (marked > 0) {
      logger.warn(
        { ...log, relayId: id, count: marked, lastPosition: marker.p },
        'outbox rows were already on Kafka (previous relay stopped between publish and mark); marked published without resending',
      );
    }
  }

  async function fetchBatch(db: pg.Client): Promise<OutboxRow[]> {
    const result = await db.query<OutboxRow>(UNPUBLISHED_BATCH_SQL, [batchSize]);
    return result.rows;
  }

  async function recordFailure(db: pg.Client, positions: readonly string[], error: unknown): Promise<void> {
    await db.query('UPDATE outbox_events SET attempts = attempts + 1, last_error = $2 WHERE position = ANY($1::bigint[])', [
      positions,
      errorMessage(error).slice(0, 2_000),
    ]);
  }

  /** One Kafka transaction: messages in position order + the marker, then the DB mark. */
  async function publish(db: pg.Client, kafkaProducer: Producer, id: string, rows: OutboxRow[]): Promise<void> {
    const info: RelayBatchInfo = { positions: rows.map((r) => r.position), eventIds: rows.map((r) => r.event_id) };
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push(toMessage(row, domain));
      byTopic.set(row.topic, list);
    }
    const last = rows.at(-1);
    if (!last) return;
    // kafkajs passes `metadata` through to TxnOffsetCommit; its typings omit the field.
    const markerPartition = { partition: 0, offset: last.position, metadata: encodeMarker(rows) };

    const transaction = await kafkaProducer.transaction();
    try {
      // Within a topic-partition kafkajs keeps message order; one transaction
      // per batch and one batch at a time keeps order across batches.
      await transaction.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
      });
      await transaction.sendOffsets({ consumerGroupId: id, topics: [{ topic: markerTopic, partitions: [markerPartition] }] });
      await hooks.beforeCommit?.(info);
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      await recordFailure(db, info.positions, error).catch(() => undefined);
      throw error;
    }
    // From here on the batch is on Kafka. Should anything below fail, the
    // rows must be marked, never resent: remember them for reconcile().
    committedUnmarked = [...info.positions];
    await hooks.beforeMarkPublished?.(info);
    await markPublished(db, info.positions);
    committedUnmarked = undefined;
  }

  type Outcome = 'busy' | 'idle' | 'standby';

  async function cycle(): Promise<Outcome> {
    if (client && clientBroken) await dropDb();
    if (!client) client = await connectDb();
    const db = client;
    const id = relayId;
    if (!id) throw new Error('relay id not resolved');

    if (!leader) {
      // Keyed per database, not per domain: one database has one outbox, and
      // two relays on it (even if misconfigured with different domains) must
      // never both publish.
      const result = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2::text)) AS locked', [
        OUTBOX_RELAY_LOCK_CLASS,
        'outbox_events',
      ]);
      if (!result.rows[0]?.locked) return 'standby';
      leader = true;
      needsReconcile = true;
      logger.info({ ...log, relayId: id }, 'outbox relay is the leader for this database');
    }

    if (!producer) producer = await createProducer(id);
    if (needsReconcile) {
      await reconcile(db, id);
      needsReconcile = false;
    }

    const rows = await fetchBatch(db);
    if (rows.length === 0) return 'idle';
    const batch = fitBatch(rows);
    await publish(db, producer, id, batch);
    logger.debug?.({ ...log, count: batch.length, lastPosition: batch.at(-1)?.position }, 'outbox batch published');
    return batch.length === rows.length && rows.length < batchSize ? 'idle' : 'busy';
  }

  async function onFailure(error: unknown): Promise<void> {
    if (isFenced(error)) {
      // Another instance initialised our transactional id: it is the leader
      // now (or will be). Step down and stand by.
      logger.warn({ ...log, relayId }, 'outbox relay was fenced by another instance; standing by');
      await dropKafka();
      await dropDb();
      return;
    }
    logger.error({ ...log, relayId, err: errorInfo(error) }, 'outbox relay failed; will retry');
    // A new producer re-initialises the transactional id, which settles any
    // transaction the failed one left open before we look at the marker again.
    await dropKafka();
    if (clientBroken) await dropDb();
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let outcome: Outcome;
      try {
        outcome = await cycle();
        failures = 0;
      } catch (error) {
        if (stopped) break;
        failures += 1;
        await onFailure(error);
        await sleep(backoffDelay(failures, backoff), abort.signal);
        continue;
      }
      if (stopped) break;
      if (outcome === 'busy') continue;
      await wakeup.wait(outcome === 'standby' ? standbyRetryMs : pollIntervalMs);
      if (outcome === 'idle' && lingerMs > 0) await sleep(lingerMs, abort.signal);
    }
  })();

  let stopping: Promise<void> | undefined;

  // Flush checks run on their own connection: they must work on a standby too.
  let flushClient: pg.Client | undefined;
  async function flushDb(): Promise<pg.Client> {
    if (!flushClient) {
      const next = new pg.Client({ connectionString: databaseUrl, application_name: `outbox-relay-flush:${domain}`, options: RELAY_SESSION_OPTIONS });
      next.on('error', () => {
        if (flushClient === next) flushClient = undefined;
      });
      await next.connect();
      flushClient = next;
    }
    return flushClient;
  }

  return {
    async flush({ timeoutMs = 30_000 } = {}): Promise<void> {
      if (stopped) throw new Error('outbox relay is stopped');
      const deadline = Date.now() + timeoutMs;
      const db = await flushDb();
      const max = await db.query<{ max: string | null }>('SELECT max(position)::text AS max FROM outbox_events');
      const target = max.rows[0]?.max;
      if (!target) return;
      for (;;) {
        wakeup.notify();
        const pending = await db.query<{ pending: boolean }>(
          'SELECT EXISTS (SELECT 1 FROM outbox_events WHERE published_at IS NULL AND position <= $1::bigint) AS pending',
          [target],
        );
        if (!pending.rows[0]?.pending) return;
        if (stopped) throw new Error('outbox relay stopped before the flush completed');
        if (Date.now() > deadline) throw new Error(`outbox relay flush timed out after ${timeoutMs} ms`);
        await sleep(20);
      }
    },

    stop(): Promise<void> {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        wakeup.notify();
        await loop;
        await dropKafka();
        await admin?.disconnect().catch(() => undefined);
        await dropDb();
        await flushClient?.end().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
