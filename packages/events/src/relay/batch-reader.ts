/**
 * Batch reader: the relay's SQL on outbox_events. Reads the oldest
 * unpublished rows, marks rows published, records a failed attempt.
 */
import type pg from 'pg';
import { errorMessage } from '../logger.js';
import type { OutboxRow } from './types.js';

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

export async function readBatch(db: pg.Client, batchSize: number): Promise<OutboxRow[]> {
  const result = await db.query<OutboxRow>(UNPUBLISHED_BATCH_SQL, [batchSize]);
  return result.rows;
}

export async function markPublished(db: pg.Client, positions: readonly string[]): Promise<number> {
  const result = await db.query('UPDATE outbox_events SET published_at = now() WHERE position = ANY($1::bigint[]) AND published_at IS NULL', [positions]);
  return result.rowCount ?? 0;
}

export async function recordFailure(db: pg.Client, positions: readonly string[], error: unknown): Promise<void> {
  await db.query('UPDATE outbox_events SET attempts = attempts + 1, last_error = $2 WHERE position = ANY($1::bigint[])', [
    positions,
    errorMessage(error).slice(0, 2_000),
  ]);
}
