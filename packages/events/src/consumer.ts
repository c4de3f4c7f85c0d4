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
 *             handler(envelope, tx) for each newly claimed id, in offset order
 *             COMMIT → offsets resolved
 *   chunk fails (handler throws, deadlock, timeout) → rolled back; its events
 *           run one by one, each in its own transaction: retry with backoff
 *           (bounded) → <topic>.dlq, so one bad event never takes its
 *           neighbours with it
 *   resolved offsets → committed to Kafka every commitIntervalMs
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import {
  eventEnvelopeSchema,
  EventValidationError,
  type AnyEventDefinition,
  type EnvelopeForType,
  type EventEnvelope,
  type EventRegistry,
} from './define.js';
import { eventRegistry, type DomainEventDefinition } from './definitions/index.js';
import { createKafka, headerString, type KafkaClientOptions } from './kafka.js';
import { errorInfo, errorMessage, silentLogger, type EventLogger } from './logger.js';
import { deadLetterTopic, DEFAULT_PARTITIONS } from './topics.js';
import { appEnv, readEnv } from '@commerce/config';
import { restoreTraceContext } from './trace.js';
import { claimMembershipSlot, evictPreviousIncarnation } from './group-membership.js';

/** What the consumer needs from a transaction client (and what handlers get, fully typed). */
export interface ConsumerTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  /** Rows of a query; the consumer reads the ids a chunk's claim returned. */
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
}

export interface TransactionOptions {
  /** Max time to wait for a connection from the pool (Prisma default 2 s). */
  maxWait?: number;
  /** Max time the interactive transaction may run (Prisma default 5 s). */
  timeout?: number;
}

/**
 * A Prisma client, structurally: its interactive `$transaction(fn, options)`.
 * Every domain's generated client fits; `Tx` is inferred from it, so handlers
 * receive that domain's typed transaction client.
 */
export interface TransactionRunner<Tx> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

/** Handlers by event type; each receives the validated envelope (every registered version) and the transaction. */
export type EventHandlers<D extends AnyEventDefinition, Tx> = {
  [T in D['type']]?: (envelope: EnvelopeForType<D, T>, tx: Tx) => Promise<void>;
};

export type DeadLetterReason = 'invalid-envelope' | 'unknown-version' | 'invalid-payload' | 'handler-failed';

export interface ConsumerOptions<Tx extends ConsumerTransaction, D extends AnyEventDefinition>
  extends Pick<KafkaClientOptions, 'kafkaLogLevel' | 'kafkaConfig'> {
  /** Consumer group id; also the `consumer` column of processed_events. */
  group: string;
  brokers?: string[];
  prisma: TransactionRunner<Tx>;
  handlers: EventHandlers<D, Tx>;
  /** Definitions to validate against; defaults to every domain event (eventRegistry). */
  registry?: EventRegistry<D>;
  logger?: EventLogger;
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

const tracer = trace.getTracer('@commerce/events');

/** Error header values are capped: Kafka headers are not meant for stack dumps. */
const MAX_ERROR_HEADER = 4_000;

/** Prisma's interactive-transaction timeout when the caller sets none. */
const PRISMA_DEFAULT_TIMEOUT_MS = 5_000;

/** How long stop() waits for its final offset commit. */
const FINAL_COMMIT_TIMEOUT_MS = 5_000;

/** Session and heartbeat defaults; measured in docs/reliability.md. */
const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

/** One statement claims a chunk's event ids; the ids it returns are the ones not handled before. */
const CLAIM_SQL =
  'INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id';
/**
 * The claim of a chunk of several events, which also bounds its lock waits
 * (lock_timeout, for this transaction only). A chunk holds the row locks of
 * every event it has run so far, so two chunks on different partitions can
 * each wait for a row the other holds. PostgreSQL would break that deadlock
 * only after deadlock_timeout (1 s); giving up after a short wait instead
 * sends both chunks down the one-event path, which never holds more than
 * one event's locks.
 */
const CLAIM_BOUNDED_SQL =
  "INSERT INTO processed_events (consumer, event_id) SELECT $1, claim.id FROM unnest($2::uuid[]) AS claim(id), (SELECT set_config('lock_timeout', $3, true)) AS bounded ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id";
/** Gives back claims of events a chunk did not get to (it ran out of time); they go into the next chunk. */
const RELEASE_SQL = 'DELETE FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])';
const CLAIM_ONE_SQL = 'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING';

/** The batch was given up (stop, rebalance, seek): what is not resolved yet is redelivered. */
class BatchAbandoned extends Error {
  override readonly name = 'BatchAbandoned';
}

interface Delivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** A fetched message, classified. */
type Decoded<Tx> =
  | { kind: 'dead-letter'; message: KafkaMessage; reason: DeadLetterReason; error: unknown }
  | { kind: 'skip'; message: KafkaMessage }
  | { kind: 'handle'; message: KafkaMessage; envelope: EventEnvelope; handler: Handler<Tx> };
type Handled<Tx> = Extract<Decoded<Tx>, { kind: 'handle' }>;
type Handler<Tx> = (envelope: EventEnvelope, tx: Tx) => Promise<void>;

/** How a chunk's transaction went. */
type ChunkOutcome =
  /** Committed; `ran` events (a prefix, at least one) are done, the rest go into the next chunk. */
  | { ok: true; ran: number }
  /** Rolled back. `failedEvent`: the chunk index of the event whose handler threw, if one did. */
  | { ok: false; error: unknown; failedEvent?: number };

export async function startConsumer<Tx extends ConsumerTransaction, D extends AnyEventDefinition = DomainEventDefinition>(
  options: ConsumerOptions<Tx, D>,
): Promise<EventConsumer> {
  const { group, prisma } = options;
  const registry = (options.registry ?? eventRegistry) as EventRegistry<D>;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const backoff: BackoffOptions = { initialMs: 100, maxMs: 5_000, ...options.backoff };
  const maxEventsPerTransaction = Math.max(1, options.maxEventsPerTransaction ?? 100);
  const chunkLockTimeoutMs = Math.max(1, Math.round(options.chunkLockTimeoutMs ?? 200));
  // A chunk stops starting handlers after half the transaction timeout, so the
  // handler in progress and the COMMIT still fit. Bounding by count alone
  // would tie a safe chunk size to handler speed, which varies with load.
  const chunkTimeBudgetMs = (options.transactionOptions?.timeout ?? PRISMA_DEFAULT_TIMEOUT_MS) / 2;
  const log = { component: 'event-consumer', group };

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
  /** The offset API of the latest batch, so stop() can commit what was resolved while idle. */
  let offsetApi: Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'> | undefined;

  async function deadLetter(delivery: Delivery, reason: DeadLetterReason, error: unknown, attempts: number): Promise<void> {
    const { topic, partition, message } = delivery;
    const headers: IHeaders = {};
    for (const [key, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[key] = value;
    Object.assign(headers, {
      'dlq-reason': reason,
      'dlq-error': errorMessage(error).slice(0, MAX_ERROR_HEADER),
      'dlq-consumer-group': group,
      'dlq-source-topic': topic,
      'dlq-source-partition': String(partition),
      'dlq-source-offset': message.offset,
      'dlq-attempts': String(attempts),
      'dlq-failed-at': new Date().toISOString(),
    });
    await dlqProducer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    logger.error(
      { ...log, topic, partition, offset: message.offset, reason, attempts, eventId: headerString(message.headers?.['event-id']), err: errorInfo(error) },
      `event sent to dead-letter topic ${deadLetterTopic(topic)}`,
    );
  }

  function decode(message: KafkaMessage): Decoded<Tx> {
    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      return { kind: 'dead-letter', message, reason: 'invalid-envelope', error };
    }
    const shape = eventEnvelopeSchema.safeParse(decoded);
    if (!shape.success) return { kind: 'dead-letter', message, reason: 'invalid-envelope', error: new EventValidationError('envelope', undefined, shape.error) };

    const handler = handlers.get(shape.data.type);
    if (!handler) return { kind: 'skip', message }; // another consumer's event on a shared topic: acknowledge and move on

    const parsed = registry.parseEnvelope(decoded);
    if (!parsed.ok) {
      const reason: DeadLetterReason = parsed.reason === 'invalid-payload' ? 'invalid-payload' : parsed.reason === 'invalid-envelope' ? 'invalid-envelope' : 'unknown-version';
      return { kind: 'dead-letter', message, reason, error: parsed.error };
    }
    return { kind: 'handle', message, envelope: parsed.envelope, handler };
  }

  /**
   * Handled events in ONE transaction: one statement claims every id, then
   * the handlers of the newly claimed ones run in offset order. An id already
   * processed, or seen earlier in the chunk, is skipped.
   */
  async function runChunk(events: Handled<Tx>[], delivery: Omit<Delivery, 'message'>, heartbeat: () => Promise<void>): Promise<ChunkOutcome> {
    let running: number | undefined;
    try {
      const ran = await prisma.$transaction(async (tx) => {
        const startedAt = Date.now();
        const ids = [...new Set(events.map((event) => event.envelope.eventId.toLowerCase()))];
        const claim = events.length > 1 ? tx.$queryRawUnsafe(CLAIM_BOUNDED_SQL, group, ids, `${chunkLockTimeoutMs}ms`) : tx.$queryRawUnsafe(CLAIM_SQL, group, ids);
        const unclaimed = claimedIds(await claim);
        for (const [index, event] of events.entries()) {
          if (index > 0 && Date.now() - startedAt >= chunkTimeBudgetMs) {
            const leftOver = events.slice(index).map((e) => e.envelope.eventId.toLowerCase()).filter((id) => unclaimed.has(id));
            if (leftOver.length > 0) await tx.$executeRawUnsafe(RELEASE_SQL, group, leftOver);
            return index;
          }
          const { envelope, handler, message } = event;
          if (!unclaimed.delete(envelope.eventId.toLowerCase())) {
            logger.debug?.({ ...log, eventId: envelope.eventId, type: envelope.type }, 'event already processed; skipped');
            continue;
          }
          // A chunk can run for half the transaction timeout: keep the session alive between
          // handlers (kafkajs sends one only once the heartbeat interval has passed). A failure
          // here (a rebalance) surfaces at the heartbeat after the chunk.
          if (index > 0) await heartbeat().catch(() => undefined);
          running = index;
          await runTraced(envelope, { ...delivery, message }, () => handler(envelope, tx));
          running = undefined;
        }
        return events.length;
      }, options.transactionOptions);
      return { ok: true, ran };
    } catch (error) {
      return running === undefined ? { ok: false, error } : { ok: false, error, failedEvent: running };
    }
  }

  /** One attempt of the one-event path: claim the event id and run the handler in one transaction. */
  async function attempt(envelope: EventEnvelope, handler: Handler<Tx>): Promise<'handled' | 'duplicate'> {
    return prisma.$transaction(async (tx) => {
      const claimed = await tx.$executeRawUnsafe(CLAIM_ONE_SQL, group, envelope.eventId);
      if (claimed === 0) return 'duplicate';
      await handler(envelope, tx);
      return 'handled';
    }, options.transactionOptions);
  }

  /**
   * The one-event path: own transaction, retries with backoff, then the DLQ.
   * `failedOnce`: the event's handler already threw in its chunk, which
   * counts as its first attempt.
   */
  async function processOne(
    event: Handled<Tx>,
    delivery: Delivery,
    batch: Pick<EachBatchPayload, 'heartbeat'>,
    abandoned: () => boolean,
    failedOnce?: { error: unknown },
  ): Promise<void> {
    const { envelope, handler } = event;
    let attempts = failedOnce ? 1 : 0;
    let lastError = failedOnce?.error;
    for (;;) {
      if (attempts > 0) {
        // Stopping or losing the partition: leave the offset unresolved; the event is redelivered.
        if (abandoned()) throw new BatchAbandoned(`consumer ${group} stopping`);
        if (attempts >= maxAttempts) {
          await deadLetter(delivery, 'handler-failed', lastError, attempts);
          return;
        }
        await batch.heartbeat().catch(() => undefined);
        const delay = backoffDelay(attempts, backoff);
        logger.warn(
          { ...log, eventId: envelope.eventId, type: envelope.type, attempt: attempts, maxAttempts, retryInMs: delay, err: errorInfo(lastError) },
          'event handler failed; retrying',
        );
        await sleep(delay, abort.signal);
        if (abandoned()) throw new BatchAbandoned(`consumer ${group} stopping`);
        await batch.heartbeat().catch(() => undefined);
      }
      attempts++;
      try {
        const outcome = await runTraced(envelope, delivery, () => attempt(envelope, handler));
        if (outcome === 'duplicate') {
          logger.debug?.({ ...log, eventId: envelope.eventId, type: envelope.type }, 'event already processed; skipped');
        }
        return;
      } catch (error) {
        lastError = error;
      }
    }
  }

  /** Runs `fn` inside a CONSUMER span whose parent is the producer's trace context. */
  function runTraced<R>(envelope: EventEnvelope, delivery: Delivery, fn: () => Promise<R>): Promise<R> {
    const { topic, partition, message } = delivery;
    const parent = restoreTraceContext(envelope);
    return context.with(parent, () =>
      tracer.startActiveSpan(
        `${envelope.type} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation': 'process',
            'messaging.destination.name': topic,
            'messaging.destination.partition.id': String(partition),
            'messaging.kafka.message.offset': Number(message.offset),
            'messaging.kafka.consumer.group': group,
            'messaging.message.id': envelope.eventId,
            'event.type': envelope.type,
            'event.version': envelope.version,
          },
        },
        async (span) => {
          try {
            return await fn();
          } catch (error) {
            span.recordException(error instanceof Error ? error : new Error(String(error)));
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    );
  }

  /** Commits every resolved offset now (stop, rebalance, failure), not waiting for the interval. */
  async function commitResolved(api: Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'> | undefined): Promise<void> {
    if (!api) return;
    try {
      const pending = api.uncommittedOffsets();
      if (pending.topics.length > 0) await api.commitOffsetsIfNecessary(pending);
    } catch (error) {
      // Uncommitted offsets are redelivered, and redelivery is a no-op (processed_events).
      logger.debug?.({ ...log, err: errorInfo(error) }, 'offset commit failed; those events will be redelivered');
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    offsetApi = payload;
    const abandoned = (): boolean => stopping || !isRunning() || isStale();
    const decoded = batch.messages.map(decode);
    try {
      let next = 0;
      while (next < decoded.length && !abandoned()) {
        const first = decoded[next] as Decoded<Tx>;
        if (first.kind === 'dead-letter') {
          await deadLetter({ topic, partition, message: first.message }, first.reason, first.error, 0);
          resolveOffset(first.message.offset);
          next++;
          continue;
        }
        // A run: skips and up to maxEventsPerTransaction handled events, ending before a dead letter
        // (rare), so dead letters and transactions stay in offset order.
        let end = next;
        let eventCount = 0;
        for (; end < decoded.length; end++) {
          const entry = decoded[end] as Decoded<Tx>;
          if (entry.kind === 'dead-letter') break;
          if (entry.kind === 'handle' && ++eventCount > maxEventsPerTransaction) break;
        }
        const run = decoded.slice(next, end);
        const done = await processRun(run, payload, abandoned);
        resolveOffset((run[done - 1] as Decoded<Tx>).message.offset);
        next += done;
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      }
    } catch (error) {
      await commitResolved(payload);
      if (error instanceof BatchAbandoned) return;
      throw error;
    }
    // Kafka commits the resolved offsets on the interval; a stopping consumer commits them now.
    if (abandoned()) await commitResolved(payload);
    else await payload.commitOffsetsIfNecessary();
  }

  /**
   * A run of skips and handled events: one chunk transaction, or, if it
   * fails, one transaction per event. Returns how many entries of the run are
   * done (all, unless the chunk ran out of time).
   */
  async function processRun(run: Decoded<Tx>[], payload: EachBatchPayload, abandoned: () => boolean): Promise<number> {
    const { topic, partition } = payload.batch;
    const events = run.filter((entry): entry is Handled<Tx> => entry.kind === 'handle');
    if (events.length === 0) return run.length;

    const outcome = await runChunk(events, { topic, partition }, payload.heartbeat);
    if (outcome.ok) {
      if (outcome.ran === events.length) return run.length;
      const firstNotRun = events[outcome.ran] as Handled<Tx>;
      logger.debug?.({ ...log, topic, partition, ran: outcome.ran, events: events.length, budgetMs: chunkTimeBudgetMs }, 'chunk used half its transaction timeout; the rest go into the next one');
      return run.indexOf(firstNotRun);
    }
    if (abandoned()) throw new BatchAbandoned(`consumer ${group} stopping`);

    const failed = outcome.failedEvent === undefined ? undefined : events[outcome.failedEvent];
    if (events.length > 1) {
      logger.warn(
        { ...log, topic, partition, events: events.length, eventId: failed?.envelope.eventId, err: errorInfo(outcome.error) },
        'chunk transaction failed; processing its events one by one',
      );
    }
    for (const entry of run) {
      if (abandoned()) throw new BatchAbandoned(`consumer ${group} stopping`);
      if (entry.kind === 'handle') {
        const failedOnce = entry === failed ? { error: outcome.error } : undefined;
        await processOne(entry, { topic, partition, message: entry.message }, payload, abandoned, failedOnce);
      }
      payload.resolveOffset(entry.message.offset);
    }
    return run.length;
  }

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
    consumer.on(consumer.events.FETCH, () => {
      offsetApi?.commitOffsetsIfNecessary().catch((error: unknown) => {
        logger.debug?.({ ...log, err: errorInfo(error) }, 'offset commit failed; those events will be redelivered');
      });
    });
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
        await Promise.race([commitResolved(offsetApi).finally(() => committed.abort()), sleep(FINAL_COMMIT_TIMEOUT_MS, committed.signal)]);
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

/** The event ids a claim statement returned (lower-case, as PostgreSQL prints uuids). */
function claimedIds(rows: unknown): Set<string> {
  if (!Array.isArray(rows)) throw new Error('processed_events claim returned no rows array');
  const ids = new Set<string>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || !('event_id' in row) || typeof row.event_id !== 'string') {
      throw new Error('processed_events claim returned a row without event_id');
    }
    ids.add(row.event_id);
  }
  return ids;
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
