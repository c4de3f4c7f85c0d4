/**
 * Publisher: a batch exactly once. The Kafka transaction first (messages and
 * marker), then the rows are marked published in PostgreSQL. If the relay
 * dies in between, reconcile() brings the database in line with Kafka before
 * anything else is sent: from what this process knows is committed, then
 * from the marker of the last Kafka transaction of any incarnation.
 */
import type pg from 'pg';
import type { Producer } from 'kafkajs';
import { markPublished, recordFailure } from './batch-reader.js';
import { decodePositionRanges } from './marker.js';
import type { MarkerStore } from './marker-store.js';
import { sendInTransaction } from './producer.js';
import type { OutboxRelayHooks, OutboxRow, RelayBatchInfo, RelayScope } from './types.js';

export interface PublisherOptions {
  markerTopic: string;
  markers: MarkerStore;
  hooks: OutboxRelayHooks;
}

export class Publisher {
  /** Positions committed on Kafka but not yet marked in this process (e.g. the mark failed). */
  #committedUnmarked: string[] | undefined;

  constructor(
    readonly scope: RelayScope,
    readonly options: PublisherOptions,
  ) {}

  /** One Kafka transaction: messages in position order + the marker, then the DB mark. */
  async publish(db: pg.Client, producer: Producer, relayId: string, rows: readonly OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { hooks, markerTopic } = this.options;
    const info: RelayBatchInfo = { positions: rows.map((r) => r.position), eventIds: rows.map((r) => r.event_id) };
    await sendInTransaction(producer, { domain: this.scope.domain, relayId, markerTopic }, rows, {
      beforeCommit: () => hooks.beforeCommit?.(info),
      afterFailure: (error) => recordFailure(db, info.positions, error).catch(() => undefined),
    });
    // From here on the batch is on Kafka. Should anything below fail, the
    // rows must be marked, never resent: remember them for reconcile().
    this.#committedUnmarked = [...info.positions];
    await hooks.beforeMarkPublished?.(info);
    await markPublished(db, info.positions);
    this.#committedUnmarked = undefined;
  }

  /**
   * Brings the database in line with Kafka before anything is sent: rows this
   * process knows are committed, then rows the last Kafka transaction (of any
   * previous incarnation) committed according to its marker.
   */
  async reconcile(db: pg.Client, relayId: string): Promise<void> {
    const { logger, log } = this.scope;
    if (this.#committedUnmarked) {
      await markPublished(db, this.#committedUnmarked);
      this.#committedUnmarked = undefined;
    }
    const marker = await this.options.markers.read(relayId);
    if (!marker) return;
    const check = await db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM outbox_events WHERE position = $1::bigint', [marker.p]);
    const row = check.rows[0];
    if (!row) return; // already pruned: then everything up to it was published long ago
    if (row.event_id !== marker.e) {
      // A marker written for another database under the same relay id (a
      // misconfiguration): applying it would mark unrelated rows. Ignore it.
      logger.error({ ...log, relayId, marker }, 'outbox relay marker does not match this database; ignoring it (is relayId shared?)');
      return;
    }
    const marked = await markPublished(db, decodePositionRanges(marker.r));
    if (marked > 0) {
      logger.warn(
        { ...log, relayId, count: marked, lastPosition: marker.p },
        'outbox rows were already on Kafka (previous relay stopped between publish and mark); marked published without resending',
      );
    }
  }
}
