/**
 * The one-event path, taken when a chunk's transaction failed: each event in
 * its own transaction (claim + handler), retried with backoff, then sent to
 * the dead-letter topic, so one bad event never takes its neighbours with it.
 */
import type { EachBatchPayload } from 'kafkajs';
import { backoffDelay, sleep, type BackoffOptions } from '../backoff.js';
import type { EventEnvelope } from '../define.js';
import { createEventContext } from '../context.js';
import { errorInfo } from '../logger.js';
import type { OnCommitted } from './failpoint.js';
import { runTraced } from './process-span.js';
import { BatchAbandoned, type ConsumerScope, type ConsumerTransaction, type DeadLetter, type Delivery, type Handled, type Handler, type TransactionOptions, type TransactionRunner } from './types.js';

const CLAIM_ONE_SQL = 'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING';

export interface OneByOneOptions<Tx> {
  prisma: TransactionRunner<Tx>;
  transactionOptions: TransactionOptions | undefined;
  /** Handler attempts before the dead-letter topic. */
  maxAttempts: number;
  backoff: BackoffOptions;
  deadLetter: DeadLetter;
  /** Aborted on stop: a backoff sleep ends at once. */
  signal: AbortSignal;
  onCommitted: OnCommitted | undefined;
}

/**
 * Processes one event. `failedOnce`: its handler already threw in its chunk,
 * which counts as its first attempt.
 */
export type ProcessOne<Tx> = (
  event: Handled<Tx>,
  delivery: Delivery,
  batch: Pick<EachBatchPayload, 'heartbeat'>,
  abandoned: () => boolean,
  failedOnce?: { error: unknown },
) => Promise<void>;

export function createOneByOne<Tx extends ConsumerTransaction>(scope: ConsumerScope, options: OneByOneOptions<Tx>): ProcessOne<Tx> {
  const { group, logger, log } = scope;
  const { prisma, transactionOptions, maxAttempts, backoff, deadLetter, signal, onCommitted } = options;

  /** One attempt: claim the event id and run the handler in one transaction. */
  async function attempt(envelope: EventEnvelope, handler: Handler<Tx>): Promise<'handled' | 'duplicate'> {
    return prisma.$transaction(async (tx) => {
      const claimed = await tx.$executeRawUnsafe(CLAIM_ONE_SQL, group, envelope.eventId);
      if (claimed === 0) return 'duplicate';
      await handler(createEventContext({ tx, envelope, group, logger }), envelope);
      return 'handled';
    }, transactionOptions);
  }

  return async function processOne(event, delivery, batch, abandoned, failedOnce) {
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
        await sleep(delay, signal);
        if (abandoned()) throw new BatchAbandoned(`consumer ${group} stopping`);
        await batch.heartbeat().catch(() => undefined);
      }
      attempts++;
      try {
        const outcome = await runTraced(group, envelope, delivery, () => attempt(envelope, handler));
        if (outcome === 'duplicate') {
          logger.debug?.({ ...log, eventId: envelope.eventId, type: envelope.type }, 'event already processed; skipped');
        } else onCommitted?.([envelope]);
        return;
      } catch (error) {
        lastError = error;
      }
    }
  };
}
