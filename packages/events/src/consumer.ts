/**
 * Idempotent Kafka consumer. Delivery from Kafka is at-least-once (a crash
 * after the database commit but before the offset commit redelivers), so the
 * effect is made exactly-once in the consumer's own database instead: the
 * processed_events rows and the handlers' writes share one transaction.
 *
 * A fetched batch (one partition, in offset order) is processed like this:
 *
 *   message → validate envelope ─ invalid / unknown version → <topic>.dlq
 *           → no handler for the type → acknowledge, skip
 *           → handled: collected into a chunk (maxEventsPerTransaction)
 *   chunk   → BEGIN
 *             INSERT processed_events SELECT unnest(ids) ON CONFLICT DO NOTHING RETURNING event_id
 *             handler(ctx, envelope) for each newly claimed id, in offset order
 *             COMMIT → offsets resolved
 *   chunk fails (handler throws, deadlock, timeout) → rolled back; its events
 *           run one by one, each in its own transaction: retry with backoff
 *           (bounded) → <topic>.dlq, so one bad event never takes its
 *           neighbours with it
 *   resolved offsets → committed to Kafka every commitIntervalMs
 *
 * The parts, one file each under consumer/: decode.ts (classify a message),
 * chunk-runner.ts (a chunk's transaction), one-by-one.ts (retries, then the
 * DLQ), dead-letter.ts, offsets.ts, batch.ts (kafkajs' eachBatch: runs of a
 * batch) and process-span.ts (the CONSUMER span). This file validates the
 * options, wires the parts to kafkajs, and stops.
 */
import type { Consumer, Producer } from 'kafkajs';
import { appEnv, readEnv } from '@commerce/config';
import { sleep, type BackoffOptions } from './backoff.js';
import type { EventContext } from './context.js';
import type { AnyEventDefinition, EnvelopeForType, EventRegistry } from './define.js';
import { eventRegistry, type DomainEventDefinition } from './definitions/index.js';
import { claimMembershipSlot, evictPreviousIncarnation } from './group-membership.js';
import { createKafka, type KafkaClientOptions } from './kafka.js';
import { errorInfo, silentLogger, type EventLogger } from './logger.js';
import { DEFAULT_PARTITIONS } from './topics.js';
import { createBatchHandler } from './consumer/batch.js';
import { createChunkRunner } from './consumer/chunk-runner.js';
import { createDeadLetter } from './consumer/dead-letter.js';
import { createDecoder } from './consumer/decode.js';
import { crashAfterCommitFailpoint } from './consumer/failpoint.js';
import { Offsets } from './consumer/offsets.js';
import { createOneByOne } from './consumer/one-by-one.js';
import type { ConsumerScope, ConsumerTransaction, Handler, TransactionOptions, TransactionRunner } from './consumer/types.js';

export { createEventContext, type EventContext, type EventContextSource } from './context.js';
export type { ConsumerTransaction, DeadLetterReason, TransactionOptions, TransactionRunner } from './consumer/types.js';

/**
 * Handlers by event type; each receives the EventContext (transaction, bound
 * logger, trace context, event id) and the validated envelope (every
 * registered version).
 */
export type EventHandlers<D extends AnyEventDefinition, Tx, L extends EventLogger = EventLogger> = {
  [T in D['type']]?: (ctx: EventContext<Tx, L>, envelope: EnvelopeForType<D, T>) => Promise<void>;
};

export interface ConsumerOptions<Tx extends ConsumerTransaction, D extends AnyEventDefinition, L extends EventLogger = EventLogger>
  extends Pick<KafkaClientOptions, 'kafkaLogLevel' | 'kafkaConfig'> {
  /** Consumer group id; also the `consumer` column of processed_events. */
  group: string;
  brokers?: string[];
  prisma: TransactionRunner<Tx>;
  handlers: EventHandlers<D, Tx, L>;
  /** Definitions to validate against; defaults to every domain event (eventRegistry). */
  registry?: EventRegistry<D>;
  /** Bound per event (EventContext.logger): pino's child() when it has one. */
  logger?: L;
  /** Handler attempts before the message goes to the dead-letter topic (default 5). */
  maxAttempts?: number;
  /** Delays between handler attempts (default 100 ms doubling up to 5 s). */
  backoff?: BackoffOptions;
  /**
   * A new group starts at the oldest retained message (default true: read
   * models need history; KAFKA_CONSUMER_FROM_BEGINNING=false changes the default).
   */
  fromBeginning?: boolean;
  /** Partitions processed in parallel by this instance (default DEFAULT_PARTITIONS). Order per partition is kept regardless. */
  partitionsConsumedConcurrently?: number;
  /** Passed to every `$transaction`; its `timeout` also bounds how long a chunk keeps starting handlers. */
  transactionOptions?: TransactionOptions;
  /** Handled events of a fetched batch that share one transaction (default 100; 1 = one transaction per event). */
  maxEventsPerTransaction?: number;
  /**
   * Longest wait for a row lock inside a chunk of several events (default
   * 200 ms); past it the chunk is rolled back and its events run one by one.
   */
  chunkLockTimeoutMs?: number;
  /** How often resolved offsets are committed to Kafka (default 1000 ms). */
  commitIntervalMs?: number;
  /** A fetch waits for this many bytes (default 64 KB)… */
  fetchMinBytes?: number;
  /** …or at most this long (default 25 ms). */
  fetchMaxWaitMs?: number;
  /** How long startConsumer waits for the first group assignment before resolving anyway (default 30 s). */
  joinTimeoutMs?: number;
  /**
   * How long the broker keeps a silent member (default 10 s, kafkajs' is 30 s):
   * a member that died on another host holds its partitions this long. The
   * broker accepts 6 s to 30 min (group.min/max.session.timeout.ms). See
   * docs/reliability.md for the trade-off.
   */
  sessionTimeoutMs?: number;
  /** Heartbeat interval (default 1 s): how fast live members notice a rebalance. */
  heartbeatIntervalMs?: number;
  /**
   * Remove this consumer's previous incarnation (same host, same group) from
   * the group before joining, so a restart after a crash does not wait for the
   * session timeout (default true; see group-membership.ts).
   */
  evictPreviousIncarnation?: boolean;
}

export interface EventConsumer {
  /** Leaves the group after the transaction in progress; unprocessed messages are redelivered to others. */
  stop(): Promise<void>;
}

/** Prisma's interactive-transaction timeout when the caller sets none. */
const PRISMA_DEFAULT_TIMEOUT_MS = 5_000;

/** How long stop() waits for its final offset commit. */
const FINAL_COMMIT_TIMEOUT_MS = 5_000;

/** Session and heartbeat defaults; measured in docs/reliability.md. */
const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

export async function startConsumer<Tx extends ConsumerTransaction, D extends AnyEventDefinition = DomainEventDefinition, L extends EventLogger = EventLogger>(
  options: ConsumerOptions<Tx, D, L>,
): Promise<EventConsumer> {
  const { group, prisma } = options;
  const registry = (options.registry ?? eventRegistry) as EventRegistry<D>;
  const logger = options.logger ?? silentLogger;
  const scope: ConsumerScope = { group, logger, log: { component: 'event-consumer', group } };
  const { log } = scope;
  const maxEventsPerTransaction = Math.max(1, options.maxEventsPerTransaction ?? 100);
  // A chunk stops starting handlers after half the transaction timeout, so the
  // handler in progress and the COMMIT still fit. Bounding by count alone
  // would tie a safe chunk size to handler speed, which varies with load.
  const chunkTimeBudgetMs = (options.transactionOptions?.timeout ?? PRISMA_DEFAULT_TIMEOUT_MS) / 2;

  // Handlers as a plain lookup; their precise types were checked at the call site.
  const handlers = new Map<string, Handler<Tx>>();
  for (const [type, handler] of Object.entries(options.handlers)) {
    if (typeof handler !== 'function') continue;
    if (!registry.has(type)) throw new Error(`startConsumer(${group}): no event definition for handled type "${type}"`);
    handlers.set(type, handler as Handler<Tx>);
  }
  const topics = [...new Set([...handlers.keys()].map((type) => registry.topicOf(type)).filter((t): t is string => !!t))];
  if (topics.length === 0) throw new Error(`startConsumer(${group}): no handlers`);

  const groupId = kafkaGroupId(group);
  // The client id carries a stable instance identity, so a restart can find its crashed predecessor.
  const slot = claimMembershipSlot(group, groupId);
  const kafka = createKafka({
    clientId: slot.clientId,
    brokers: options.brokers,
    logger,
    kafkaLogLevel: options.kafkaLogLevel,
    kafkaConfig: options.kafkaConfig,
  });
  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    heartbeatInterval: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    // read_committed: the outbox relay publishes in Kafka transactions, and
    // only committed ones are real (an aborted attempt is resent).
    readUncommitted: false,
    // A fetch returns once 64 KB are there or after 25 ms: under load one
    // fetch carries many events instead of one request per event, and idle
    // it costs 40 small fetches a second. Measured by bench:checkout.
    minBytes: options.fetchMinBytes ?? 65_536,
    maxWaitTimeInMs: options.fetchMaxWaitMs ?? 25,
  });
  const dlqProducer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });

  const abort = new AbortController();
  let stopping = false;
  const offsets = new Offsets(scope);
  const deadLetter = createDeadLetter(dlqProducer, scope);
  const onCommitted = crashAfterCommitFailpoint();
  const eachBatch = createBatchHandler(scope, {
    decode: createDecoder(registry, handlers),
    deadLetter,
    runChunk: createChunkRunner(scope, {
      prisma,
      transactionOptions: options.transactionOptions,
      chunkLockTimeoutMs: Math.max(1, Math.round(options.chunkLockTimeoutMs ?? 200)),
      chunkTimeBudgetMs,
      onCommitted,
    }),
    processOne: createOneByOne(scope, {
      prisma,
      transactionOptions: options.transactionOptions,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      backoff: { initialMs: 100, maxMs: 5_000, ...options.backoff },
      deadLetter,
      signal: abort.signal,
      onCommitted,
    }),
    offsets,
    stopping: () => stopping,
    maxEventsPerTransaction,
    chunkTimeBudgetMs,
  });

  try {
    if (options.evictPreviousIncarnation ?? true) await evictPreviousIncarnation(kafka, groupId, slot.clientId, logger);
    await dlqProducer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? readEnv('KAFKA_CONSUMER_FROM_BEGINNING') !== 'false' });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    // An idle consumer only fetches (empty batches never reach eachBatch):
    // commit what the last batches resolved once the interval has passed.
    consumer.on(consumer.events.FETCH, () => offsets.commitIfDue());
    await consumer.run({
      // Offsets are committed on an interval, not after every batch (kafkajs'
      // autoCommit commits after each batch whatever autoCommitInterval says).
      // Safe because processed_events turns a redelivery of events handled
      // but not yet committed into a no-op; eachBatch and stop() commit what
      // was resolved when a batch is given up or the consumer stops.
      autoCommit: false,
      autoCommitInterval: options.commitIntervalMs ?? 1_000,
      eachBatchAutoResolve: false,
      // Partitions are independent (an aggregate's events share one partition,
      // so its order holds); one at a time would cap a consumer at one
      // transaction's latency per batch for the whole topic.
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS,
      eachBatch,
    });
    const joinTimeoutMs = options.joinTimeoutMs ?? 30_000;
    const timedOut = await Promise.race([joined.then(() => false), sleep(joinTimeoutMs, abort.signal).then(() => true)]);
    if (timedOut) logger.warn({ ...log, topics }, `consumer did not join its group within ${joinTimeoutMs} ms; continuing`);
    else logger.info({ ...log, topics }, 'consumer joined its group');
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    await dlqProducer.disconnect().catch(() => undefined);
    slot.release();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        // Offsets resolved since the last interval commit (an idle consumer has no batch to commit them).
        const committed = new AbortController();
        await Promise.race([offsets.commitNow().finally(() => committed.abort()), sleep(FINAL_COMMIT_TIMEOUT_MS, committed.signal)]);
        // kafkajs' disconnect waits for the batch in progress, then sends LeaveGroup: the
        // partitions move at once instead of after the session timeout.
        await consumer.disconnect().catch((error: unknown) => logger.warn({ ...log, err: errorInfo(error) }, 'consumer disconnect failed'));
        await dlqProducer.disconnect().catch(() => undefined);
        slot.release();
      })();
      return stopped;
    },
  };
}

/**
 * The Kafka consumer group for a logical consumer. Development and test share
 * one local broker, so outside production the group is scoped by environment
 * ("test.cart", "development.cart"): a running `npm start` and an `npm test`
 * never split partitions or steal each other's events. KAFKA_GROUP_PREFIX
 * overrides the scope. processed_events keeps the plain name: each
 * environment has its own database anyway.
 */
export function kafkaGroupId(group: string): string {
  const prefix = readEnv('KAFKA_GROUP_PREFIX') ?? (appEnv() === 'production' ? '' : `${appEnv()}.`);
  return `${prefix}${group}`;
}
