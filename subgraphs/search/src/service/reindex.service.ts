/**
 * Full reindex: rebuilds the read model from a source of product snapshots
 * (a catalog export file, or a replay of the product topic) while the site
 * keeps serving searches and the live consumer keeps indexing.
 *
 * Strategy: upsert in place with a generation marker, then delete the stale.
 *   1. Take a session advisory lock (one reindex at a time) and record a run
 *      in search_reindex_runs; its id is the run's generation G.
 *   2. Index the source in batches (one transaction each) through
 *      indexing.service, stamping generation = G. The version rule still
 *      applies: a document the live consumer has already moved past keeps its
 *      content, and is only stamped G (it exists). While the run is going, the
 *      live consumer stamps what it writes with the newest run's generation,
 *      i.e. G, too.
 *   3. If the source is complete up to a time T, delete documents with
 *      generation < G and updated_at <= T: products the source no longer has.
 *      Documents newer than T are the source's blind spot and are kept.
 * Readers see every document either before or after its batch, never a
 * half-written one, and never an empty index (no table swap, no truncate);
 * Prisma's schema and index names stay as migrated.
 */
import type { SnapshotSource } from '../reindex/sources.js';
import { finishReindexRun, pruneStaleDocuments, startReindexRun } from '../data/index-store.js';
import type { SearchPrisma } from '../data/prisma.js';
import { indexSnapshots } from './indexing.service.js';
import pg from 'pg';

export interface ReindexOptions {
  prisma: SearchPrisma;
  /** The search database (for the advisory lock's own session). */
  databaseUrl: string;
  source: SnapshotSource;
  /** Snapshots per transaction (default 500). */
  batchSize?: number;
  /** Delete documents the source does not have (default true; only when the source is complete). */
  prune?: boolean;
  /** Called after each batch. */
  onProgress?: (progress: { snapshots: number; written: number }) => void;
}

export interface ReindexResult {
  generation: bigint;
  source: string;
  snapshots: number;
  /** Documents written (the rest were already newer here). */
  written: number;
  /** Documents deleted at the end; null when pruning was skipped (source incomplete, or prune: false). */
  pruned: number | null;
  skipped: number;
  durationMs: number;
}

/** Key of the advisory lock that serialises reindex runs (any constant; 'search.reindex'). */
const REINDEX_LOCK_KEY = 0x5ea4c4;

export class ReindexInProgressError extends Error {
  override readonly name = 'ReindexInProgressError';
}

export async function reindex(options: ReindexOptions): Promise<ReindexResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  // A session lock on a connection of its own: released if this process dies.
  const lock = new pg.Client({ connectionString: options.databaseUrl });
  await lock.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [REINDEX_LOCK_KEY]);
    if (!rows[0]?.locked) throw new ReindexInProgressError('Another reindex of the search read model is running.');

    const { prisma, source } = options;
    const generation = await startReindexRun(prisma, source.name);
    let snapshots = 0;
    let written = 0;
    try {
      const read = await source.run(async (batch) => {
        const result = await prisma.$transaction((tx) => indexSnapshots(tx, batch, { generation }), { timeout: 60_000 });
        snapshots += batch.length;
        written += result.written;
        options.onProgress?.({ snapshots, written });
      }, batchSize);
      const pruned = (options.prune ?? true) && read.completeAsOf ? await pruneStaleDocuments(prisma, generation, read.completeAsOf) : null;
      await finishReindexRun(prisma, generation, { status: 'DONE', snapshots, pruned });
      return { generation, source: source.name, snapshots, written, pruned, skipped: read.skipped, durationMs: performance.now() - started };
    } catch (error) {
      await finishReindexRun(prisma, generation, {
        status: 'FAILED',
        snapshots,
        pruned: null,
        error: error instanceof Error ? error.message : String(error),
      }).catch(() => undefined);
      throw error;
    }
  } finally {
    await lock.end().catch(() => undefined);
  }
}
