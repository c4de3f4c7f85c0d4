/**
 * Types shared by the parts of the consumer (decode, chunk runner, one-by-one
 * path, dead-letter, offsets, batch). The public ones are re-exported by
 * ../consumer.ts.
 */
import type { KafkaMessage } from 'kafkajs';
import type { EventContext } from '../context.js';
import type { EventEnvelope } from '../define.js';
import type { EventLogger } from '../logger.js';

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

export type DeadLetterReason = 'invalid-envelope' | 'unknown-version' | 'invalid-payload' | 'handler-failed';

/** Who is consuming, for log lines and the processed_events `consumer` column. */
export interface ConsumerScope {
  group: string;
  logger: EventLogger;
  /** Fields every log line carries. */
  log: { component: 'event-consumer'; group: string };
}

/** One message and where it came from. */
export interface Delivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** A handler as the consumer runs it; the typed ones are in ../consumer.ts (EventHandlers). */
export type Handler<Tx> = (ctx: EventContext<Tx>, envelope: EventEnvelope) => Promise<void>;

/** A fetched message, classified. */
export type Decoded<Tx> =
  | { kind: 'dead-letter'; message: KafkaMessage; reason: DeadLetterReason; error: unknown }
  | { kind: 'skip'; message: KafkaMessage }
  | { kind: 'handle'; message: KafkaMessage; envelope: EventEnvelope; handler: Handler<Tx> };
export type Handled<Tx> = Extract<Decoded<Tx>, { kind: 'handle' }>;

/** Sends one message to its topic's dead-letter topic. */
export type DeadLetter = (delivery: Delivery, reason: DeadLetterReason, error: unknown, attempts: number) => Promise<void>;

/** The batch was given up (stop, rebalance, seek): what is not resolved yet is redelivered. */
export class BatchAbandoned extends Error {
  override readonly name = 'BatchAbandoned';
}
