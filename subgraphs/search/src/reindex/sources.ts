/**
 * Where a full reindex reads product snapshots from. A source pushes batches
 * into the sink (which indexes them, awaiting each) and finally tells up to
 * which point in time it was complete, or null when it may have missed
 * products (then the reindex does not prune).
 */
import type { ProductSnapshot } from '@commerce/events';

export type SnapshotSink = (batch: ProductSnapshot[]) => Promise<void>;

export interface SnapshotSourceResult {
  /** Snapshots read. */
  snapshots: number;
  /** Every product the source knows, as of this time; null when the source may be incomplete. */
  completeAsOf: Date | null;
  /** Lines or events skipped (not a product snapshot). */
  skipped: number;
}

export interface SnapshotSource {
  /** Recorded on the reindex run, e.g. "export:/tmp/products.jsonl". */
  readonly name: string;
  run(sink: SnapshotSink, batchSize: number): Promise<SnapshotSourceResult>;
}
