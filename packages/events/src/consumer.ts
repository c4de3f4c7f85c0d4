/**
 * Idempotent Kafka consumer. Delivery from Kafka is at-least-once (a crash
 * after the database commit but before the offset commit redelivers), so the
 * effect is made exactly-once in the consumer's own database instead: the
 * processed_events row and the handler's writes share one transaction.
 *
 *   message → validate envelope ─ invalid / unknown version → <topic>.dlq
 *           → no handler for the type → acknowledge, skip
 *           → BEGIN; INSERT processed_events ON CONFLICT DO NOTHING
 *               0 rows → already handled: COMMIT, skip
 *               1 row  → handler(envelope, tx); COMMIT
 *           → Kafka offset committed (after the database commit)
 *   handler throws → roll back, retry with backoff (bounded) → <topic>.dlq
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachMessagePayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
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
import { deadLetterTopic } from './topics.js';
import { appEnv, readEnv } from '@commerce/config';
import { restoreTraceContext } from './trace.js';

/** What the consumer needs from a transaction client (and what handlers get, fully typed). */
export interface ConsumerTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
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
  /** Partitions processed in parallel by this instance (default 4). Order per partition is kept regardless. */
  partitionsConsumedConcurrently?: number;
  /** Passed to `$transaction` for each message. */
  transactionOptions?: TransactionOptions;
  /** How long startConsumer waits for the first group assignment before resolving anyway (default 30 s). */
  joinTimeoutMs?: number;
}

export interface EventConsumer {
  /** Leaves the group after the message in progress; uncommitted messages are redelivered to others. */
  stop(): Promise<void>;
}

const tracer = trace.getTracer('@commerce/events');

/** Error header values are capped: Kafka headers are not meant for stack dumps. */
const MAX_ERROR_HEADER = 4_000;

class StoppingError extends Error {
  override readonly name = 'StoppingError';
}

export async function startConsumer<Tx extends ConsumerTransaction, D extends AnyEventDefinition = DomainEventDefinition>(
  options: ConsumerOptions<Tx, D>,
): Promise<EventConsumer> {
  const { group, prisma } = options;
  const registry = (options.registry ?? eventRegistry) as EventRegistry<D>;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const backoff: BackoffOptions = { initialMs: 100, maxMs: 5_000, ...options.backoff };
  const log = { component: 'event-consumer', group };

  // Handlers as a plain lookup; their precise types were checked at the call site.
  const handlers = new Map<string, (envelope: EventEnvelope, tx: Tx) => Promise<void>>();
  for (const [type, handler] of Object.entries(options.handlers)) {
    if (typeof handler !== 'function') continue;
    if (!registry.has(type)) throw new Error(`startConsumer(${group}): no event definition for handled type "${type}"`);
    handlers.set(type, handler as (envelope: EventEnvelope, tx: Tx) => Promise<void>);
  }
  const topics = [...new Set([...handlers.keys()].map((type) => registry.topicOf(type)).filter((t): t is string => !!t))];
  if (topics.length === 0) throw new Error(`startConsumer(${group}): no handlers`);

  const kafka = createKafka({
    clientId: `consumer-${group}`,
    brokers: options.brokers,
    logger,
    kafkaLogLevel: options.kafkaLogLevel,
    kafkaConfig: options.kafkaConfig,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: kafkaGroupId(group),
    allowAutoTopicCreation: false,
    // read_committed: the outbox relay publishes in Kafka transactions, and
    // only committed ones are real (an aborted attempt is resent).
    readUncommitted: false,
    maxWaitTimeInMs: 1_000,
  });
  const dlqProducer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });

  const abort = new AbortController();
  let stopping = false;

  async function deadLetter(
    payload: EachMessagePayload,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const { topic, partition, message } = payload;
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

  /** One attempt: claim the event id and run the handler in one transaction. */
  async function attempt(envelope: EventEnvelope, handler: (envelope: EventEnvelope, tx: Tx) => Promise<void>): Promise<'handled' | 'duplicate'> {
    return prisma.$transaction(async (tx) => {
      const claimed = await tx.$executeRawUnsafe(
        'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
        group,
        envelope.eventId,
      );
      if (claimed === 0) return 'duplicate';
      await handler(envelope, tx);
      return 'handled';
    }, options.transactionOptions);
  }

  async function process(envelope: EventEnvelope, handler: (envelope: EventEnvelope, tx: Tx) => Promise<void>, payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        const outcome = await runTraced(envelope, topic, partition, message, () => attempt(envelope, handler));
        if (outcome === 'duplicate') {
          logger.debug?.({ ...log, eventId: envelope.eventId, type: envelope.type }, 'event already processed; skipped');
        }
        return;
      } catch (error) {
        // Stopping: leave the offset uncommitted; the event is redelivered.
        if (stopping) throw new StoppingError(`consumer ${group} stopping`);
        if (attemptNo >= maxAttempts) {
          await deadLetter(payload, 'handler-failed', error, attemptNo);
          return;
        }
        const delay = backoffDelay(attemptNo, backoff);
        logger.warn(
          { ...log, eventId: envelope.eventId, type: envelope.type, attempt: attemptNo, maxAttempts, retryInMs: delay, err: errorInfo(error) },
          'event handler failed; retrying',
        );
        await sleep(delay, abort.signal);
        if (stopping) throw new StoppingError(`consumer ${group} stopping`);
        await payload.heartbeat().catch(() => undefined);
      }
    }
  }

  /** Runs the attempt inside a CONSUMER span whose parent is the producer's trace context. */
  function runTraced<R>(envelope: EventEnvelope, topic: string, partition: number, message: KafkaMessage, fn: () => Promise<R>): Promise<R> {
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

  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    const { message } = payload;
    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      return deadLetter(payload, 'invalid-envelope', error, 0);
    }
    const shape = eventEnvelopeSchema.safeParse(decoded);
    if (!shape.success) return deadLetter(payload, 'invalid-envelope', new EventValidationError('envelope', undefined, shape.error), 0);

    const handler = handlers.get(shape.data.type);
    if (!handler) return; // another consumer's event on a shared topic: acknowledge and move on

    const parsed = registry.parseEnvelope(decoded);
    if (!parsed.ok) {
      const reason: DeadLetterReason = parsed.reason === 'invalid-payload' ? 'invalid-payload' : parsed.reason === 'invalid-envelope' ? 'invalid-envelope' : 'unknown-version';
      return deadLetter(payload, reason, parsed.error, 0);
    }
    return process(parsed.envelope, handler, payload);
  }

  await dlqProducer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? readEnv('KAFKA_CONSUMER_FROM_BEGINNING') !== 'false' });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.run({
      autoCommit: true,
      // Partitions are independent (an aggregate's events share one partition,
      // so its order holds); one at a time would cap a consumer at one
      // transaction's latency per event for the whole topic.
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
      eachMessage,
    });
    const joinTimeoutMs = options.joinTimeoutMs ?? 30_000;
    const timedOut = await Promise.race([joined.then(() => false), sleep(joinTimeoutMs, abort.signal).then(() => true)]);
    if (timedOut) logger.warn({ ...log, topics }, `consumer did not join its group within ${joinTimeoutMs} ms; continuing`);
    else logger.info({ ...log, topics }, 'consumer joined its group');
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    await dlqProducer.disconnect().catch(() => undefined);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        await consumer.disconnect().catch((error: unknown) => logger.warn({ ...log, err: errorInfo(error) }, 'consumer disconnect failed'));
        await dlqProducer.disconnect().catch(() => undefined);
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
