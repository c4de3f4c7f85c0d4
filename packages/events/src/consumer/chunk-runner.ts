/**
 * Chunk runner: the handled events of a run in ONE transaction. One statement
 * claims every id (processed_events), then the handlers of the newly claimed
 * ones run in offset order; an id already processed, or seen earlier in the
 * chunk, is skipped. The chunk stops starting handlers after half the
 * transaction timeout, gives back the claims it did not reach, and commits.
 */
import type { ConsumerScope, ConsumerTransaction, Delivery, Handled, TransactionOptions, TransactionRunner } from './types.js';
import { createEventContext } from '../context.js';
import { runTraced } from './process-span.js';
import type { EventEnvelope } from '../define.js';
import type { OnCommitted } from './failpoint.js';

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

/** How a chunk's transaction went. */
export type ChunkOutcome =
  /** Committed; `ran` events (a prefix, at least one) are done, the rest go into the next chunk. */
  | { ok: true; ran: number }
  /** Rolled back. `failedEvent`: the chunk index of the event whose handler threw, if one did. */
  | { ok: false; error: unknown; failedEvent?: number };

export interface ChunkRunnerOptions<Tx> {
  prisma: TransactionRunner<Tx>;
  transactionOptions: TransactionOptions | undefined;
  /** Longest wait for a row lock in a chunk of several events. */
  chunkLockTimeoutMs: number;
  /** A chunk starts no handler after this long. */
  chunkTimeBudgetMs: number;
  onCommitted: OnCommitted | undefined;
}

export type ChunkRunner<Tx> = (events: Handled<Tx>[], delivery: Omit<Delivery, 'message'>, heartbeat: () => Promise<void>) => Promise<ChunkOutcome>;

export function createChunkRunner<Tx extends ConsumerTransaction>(scope: ConsumerScope, options: ChunkRunnerOptions<Tx>): ChunkRunner<Tx> {
  const { group, logger, log } = scope;
  const { prisma, transactionOptions, chunkLockTimeoutMs, chunkTimeBudgetMs, onCommitted } = options;
  return async function runChunk(events, delivery, heartbeat) {
    let running: number | undefined;
    const handled: EventEnvelope[] = [];
    try {
      const ran = await prisma.$transaction(async (tx) => {
        handled.length = 0;
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
          await runTraced(group, envelope, { ...delivery, message }, () => handler(createEventContext({ tx, envelope, group, logger }), envelope));
          running = undefined;
          handled.push(envelope);
        }
        return events.length;
      }, transactionOptions);
      onCommitted?.(handled);
      return { ok: true, ran };
    } catch (error) {
      return running === undefined ? { ok: false, error } : { ok: false, error, failedEvent: running };
    }
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
