/**
 * The batch handler kafkajs calls for each fetched batch (one partition, in
 * offset order). Dead letters go out in place; the messages between them are
 * cut into runs of at most maxEventsPerTransaction handled events, each run
 * one chunk transaction, or one transaction per event if the chunk fails.
 * Offsets are resolved as runs finish and committed on the interval.
 */
import type { EachBatchPayload } from 'kafkajs';
import { errorInfo } from '../logger.js';
import type { ChunkRunner } from './chunk-runner.js';
import type { Offsets } from './offsets.js';
import type { ProcessOne } from './one-by-one.js';
import { BatchAbandoned, type ConsumerScope, type DeadLetter, type Decoded, type Handled } from './types.js';
import type { KafkaMessage } from 'kafkajs';

export interface BatchHandlerParts<Tx> {
  decode: (message: KafkaMessage) => Decoded<Tx>;
  deadLetter: DeadLetter;
  runChunk: ChunkRunner<Tx>;
  processOne: ProcessOne<Tx>;
  offsets: Offsets;
  /** True once stop() was called. */
  stopping: () => boolean;
  maxEventsPerTransaction: number;
  /** For the log line of a chunk that ran out of time. */
  chunkTimeBudgetMs: number;
}

export function createBatchHandler<Tx>(scope: ConsumerScope, parts: BatchHandlerParts<Tx>): (payload: EachBatchPayload) => Promise<void> {
  const { group, logger, log } = scope;
  const { decode, deadLetter, runChunk, processOne, offsets, stopping, maxEventsPerTransaction, chunkTimeBudgetMs } = parts;

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

  /** The end (exclusive) of the run starting at `next`: skips and up to maxEventsPerTransaction handled events, before any dead letter. */
  function runEnd(decoded: Decoded<Tx>[], next: number): number {
    let end = next;
    let eventCount = 0;
    for (; end < decoded.length; end++) {
      const entry = decoded[end] as Decoded<Tx>;
      if (entry.kind === 'dead-letter') break;
      if (entry.kind === 'handle' && ++eventCount > maxEventsPerTransaction) break;
    }
    return end;
  }

  return async function eachBatch(payload) {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    offsets.remember(payload);
    const abandoned = (): boolean => stopping() || !isRunning() || isStale();
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
        // A run ends before a dead letter (rare), so dead letters and transactions stay in offset order.
        const run = decoded.slice(next, runEnd(decoded, next));
        const done = await processRun(run, payload, abandoned);
        resolveOffset((run[done - 1] as Decoded<Tx>).message.offset);
        next += done;
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      }
    } catch (error) {
      await offsets.commitNow(payload);
      if (error instanceof BatchAbandoned) return;
      throw error;
    }
    // Kafka commits the resolved offsets on the interval; a stopping consumer commits them now.
    if (abandoned()) await offsets.commitNow(payload);
    else await payload.commitOffsetsIfNecessary();
  };
}
