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
 *
 * The parts, one file each under relay/: lease.ts (the database session and
 * its leadership lock), batch-reader.ts (the SQL on outbox_events),
 * producer.ts (the transactional producer, a batch as one Kafka
 * transaction), marker.ts (encoding), marker-store.ts (reading it back),
 * publisher.ts (send, then mark; reconcile after a takeover), flush.ts and
 * wakeup.ts. This file validates the options, runs the loop, and stops.
 */
import { randomUUID } from 'node:crypto';
import type { Domain } from '@commerce/config';
import type { Kafka, Producer } from 'kafkajs';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { createKafka, type KafkaClientOptions } from './kafka.js';
import { errorInfo, silentLogger, type EventLogger } from './logger.js';
import { OUTBOX_MARKER_TOPIC } from './topics.js';
import { readBatch } from './relay/batch-reader.js';
import { Flusher } from './relay/flush.js';
import { RelayLease } from './relay/lease.js';
import { fitBatch } from './relay/marker.js';
import { MarkerStore } from './relay/marker-store.js';
import { createTransactionalProducer, isFenced } from './relay/producer.js';
import { Publisher } from './relay/publisher.js';
import type { OutboxRelayHooks, RelayScope } from './relay/types.js';
import { Wakeup } from './relay/wakeup.js';

export { RELAY_SESSION_OPTIONS, UNPUBLISHED_BATCH_SQL } from './relay/batch-reader.js';
export { OUTBOX_RELAY_LOCK_CLASS } from './relay/lease.js';
export { decodePositionRanges, encodePositionRanges } from './relay/marker.js';
export type { OutboxRelayHooks, RelayBatchInfo } from './relay/types.js';

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

/** What one turn of the loop found: more to publish, nothing, or another relay leads. */
type Outcome = 'busy' | 'idle' | 'standby';

export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const { domain, databaseUrl } = options;
  const logger = options.logger ?? silentLogger;
  const scope: RelayScope = { domain, logger, log: { component: 'outbox-relay', domain } };
  const { log } = scope;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const lingerMs = Math.max(0, options.lingerMs ?? 50);
  const standbyRetryMs = options.standbyRetryMs ?? 2_000;
  const backoff: BackoffOptions = { initialMs: 200, maxMs: 30_000, ...options.backoff };
  const markerTopic = options.markerTopic ?? OUTBOX_MARKER_TOPIC;
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
  const isStopped = () => stopped;

  const lease = new RelayLease(scope, { databaseUrl, instanceId, relayId: options.relayId, wakeup, stopped: isStopped });
  const markers = new MarkerStore(kafka, markerTopic);
  const publisher = new Publisher(scope, { markerTopic, markers, hooks: options.hooks ?? {} });
  const flusher = new Flusher({ databaseUrl, domain, wakeup, stopped: isStopped });
  let producer: Producer | undefined;
  let needsReconcile = true;

  async function dropKafka(): Promise<void> {
    const oldProducer = producer;
    producer = undefined;
    needsReconcile = true;
    await oldProducer?.disconnect().catch(() => undefined);
  }

  /** One turn: lead (or stand by), reconcile if needed, publish one batch. */
  async function cycle(): Promise<Outcome> {
    const db = await lease.session();
    const id = lease.relayId;
    if (!id) throw new Error('relay id not resolved');

    const lead = await lease.acquire(db);
    if (lead === 'standby') return 'standby';
    if (lead === 'acquired') needsReconcile = true;

    if (!producer) producer = await createTransactionalProducer(kafka, id);
    if (needsReconcile) {
      await publisher.reconcile(db, id);
      needsReconcile = false;
    }

    const rows = await readBatch(db, batchSize);
    if (rows.length === 0) return 'idle';
    const batch = fitBatch(rows);
    await publisher.publish(db, producer, id, batch);
    logger.debug?.({ ...log, count: batch.length, lastPosition: batch.at(-1)?.position }, 'outbox batch published');
    return batch.length === rows.length && rows.length < batchSize ? 'idle' : 'busy';
  }

  async function onFailure(error: unknown): Promise<void> {
    if (isFenced(error)) {
      // Another instance initialised our transactional id: it is the leader
      // now (or will be). Step down and stand by.
      logger.warn({ ...log, relayId: lease.relayId }, 'outbox relay was fenced by another instance; standing by');
      await dropKafka();
      await lease.drop();
      return;
    }
    logger.error({ ...log, relayId: lease.relayId, err: errorInfo(error) }, 'outbox relay failed; will retry');
    // A new producer re-initialises the transactional id, which settles any
    // transaction the failed one left open before we look at the marker again.
    await dropKafka();
    if (lease.broken) await lease.drop();
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
  return {
    flush: (flushOptions) => flusher.flush(flushOptions),

    stop(): Promise<void> {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        wakeup.notify();
        await loop;
        await dropKafka();
        await markers.disconnect();
        await lease.drop();
        await flusher.close();
      })();
      return stopping;
    },
  };
}
