/**
 * Producer: the relay's transactional Kafka producer, and one batch as one
 * Kafka transaction carrying the rows' messages and the marker.
 */
import { Partitioners, type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import { errorMessage } from '../logger.js';
import { encodeMarker } from './marker.js';
import type { OutboxRow } from './types.js';

/**
 * A connected producer with `transactionalId`, initialised at once rather than
 * lazily: this fences any earlier producer with this id (a crashed or paused
 * relay) and makes the broker complete or abort its open transaction, so the
 * marker read next is final.
 */
export async function createTransactionalProducer(kafka: Kafka, transactionalId: string): Promise<Producer> {
  const next = kafka.producer({
    transactionalId,
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
    const init = await next.transaction();
    await init.abort();
    return next;
  } catch (error) {
    await next.disconnect().catch(() => undefined);
    throw error;
  }
}

/** True for kafkajs errors meaning another producer with our transactional.id took over. */
export function isFenced(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  const text = errorMessage(error);
  return type === 'PRODUCER_FENCED' || type === 'INVALID_PRODUCER_EPOCH' || /fenced|INVALID_PRODUCER_EPOCH/i.test(text);
}

export function toMessage(row: OutboxRow, domain: string): Message {
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

export interface TransactionTarget {
  domain: string;
  /** The marker's consumer-group id (the relay id). */
  relayId: string;
  markerTopic: string;
}

export interface TransactionSteps {
  /** Runs with the messages and the marker sent, before the commit. */
  beforeCommit(): void | Promise<void>;
  /** Runs when the open transaction failed, once it is aborted, before the error is rethrown. */
  afterFailure(error: unknown): Promise<void>;
}

/**
 * One Kafka transaction: the rows' messages in position order and the marker,
 * committed together. On failure the transaction is aborted and the error
 * rethrown.
 */
export async function sendInTransaction(producer: Producer, target: TransactionTarget, rows: readonly OutboxRow[], steps: TransactionSteps): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    const list = byTopic.get(row.topic) ?? [];
    list.push(toMessage(row, target.domain));
    byTopic.set(row.topic, list);
  }
  const last = rows.at(-1);
  if (!last) return;
  // kafkajs passes `metadata` through to TxnOffsetCommit; its typings omit the field.
  const markerPartition = { partition: 0, offset: last.position, metadata: encodeMarker(rows) };

  const transaction = await producer.transaction();
  try {
    // Within a topic-partition kafkajs keeps message order; one transaction
    // per batch and one batch at a time keeps order across batches.
    await transaction.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
    });
    await transaction.sendOffsets({ consumerGroupId: target.relayId, topics: [{ topic: target.markerTopic, partitions: [markerPartition] }] });
    await steps.beforeCommit();
    await transaction.commit();
  } catch (error) {
    if (transaction.isActive()) await transaction.abort().catch(() => undefined);
    await steps.afterFailure(error);
    throw error;
  }
}
