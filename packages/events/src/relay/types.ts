/**
 * Types shared by the parts of the outbox relay (lease, batch reader,
 * producer, marker, reconcile, flush). The public ones are re-exported by
 * ../relay.ts.
 */
import type { EventLogger } from '../logger.js';

/** A batch as seen by the fault-injection hooks. */
export interface RelayBatchInfo {
  /** Outbox positions, ascending, as decimal strings (BIGINT). */
  positions: readonly string[];
  eventIds: readonly string[];
}

/**
 * Fault-injection points for tests. A hook that throws is treated like any
 * other failure at that point; a hook may also kill the process.
 */
export interface OutboxRelayHooks {
  /** Messages and marker are in the Kafka transaction, which is not committed yet. */
  beforeCommit?(batch: RelayBatchInfo): void | Promise<void>;
  /** The Kafka transaction is committed; the rows are not yet marked published. */
  beforeMarkPublished?(batch: RelayBatchInfo): void | Promise<void>;
}

/** One unpublished outbox_events row, as the batch reader selects it. */
export interface OutboxRow {
  position: string;
  event_id: string;
  topic: string;
  event_type: string;
  aggregate_id: string;
  envelope: string;
}

/** Which relay is talking, for log lines. */
export interface RelayScope {
  domain: string;
  logger: EventLogger;
  /** Fields every log line carries. */
  log: { component: 'outbox-relay'; domain: string };
}
