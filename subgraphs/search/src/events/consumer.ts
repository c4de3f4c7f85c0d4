/**
 * What search consumes. The read model is built only from events:
 *
 *   commerce.product  product.created, product.updated   full snapshots → the document
 *                     product.price_changed              one variant price (the snapshot follows)
 *   commerce.stock-level  stock.level_changed             a variant's availability → in_stock
 *
 * startConsumer (packages/events) makes each event's effect exactly-once:
 * the processed_events row and the indexing writes share one transaction,
 * and a redelivered event is skipped. Ordering across redeliveries and
 * replays is handled by the indexing service's version checks.
 */
import { startConsumer, type EventConsumer, type EventLogger } from '@commerce/events';
import type { SearchPrisma } from '../data/prisma.js';
import { indexPriceChange, indexSnapshots, indexStockLevel } from '../service/indexing.service.js';

/** The consumer group of the live indexer (also the `consumer` of processed_events). */
export const SEARCH_CONSUMER_GROUP = 'search';

export interface SearchConsumerOptions {
  prisma: SearchPrisma;
  /** Defaults to SEARCH_CONSUMER_GROUP; tests use their own. */
  group?: string;
  /** A new group reads from the oldest retained event (default true): the read model needs history. */
  fromBeginning?: boolean;
  brokers?: string[];
  logger?: EventLogger;
}

export function startSearchConsumer(options: SearchConsumerOptions): Promise<EventConsumer> {
  return startConsumer({
    group: options.group ?? SEARCH_CONSUMER_GROUP,
    prisma: options.prisma,
    fromBeginning: options.fromBeginning ?? true,
    ...(options.brokers ? { brokers: options.brokers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    handlers: {
      'product.created': async ({ tx }, event) => {
        await indexSnapshots(tx, [event.payload]);
      },
      'product.updated': async ({ tx }, event) => {
        await indexSnapshots(tx, [event.payload]);
      },
      'product.price_changed': async ({ tx }, event) => {
        await indexPriceChange(tx, event.payload, event.occurredAt);
      },
      'stock.level_changed': async ({ tx }, event) => {
        await indexStockLevel(tx, event.payload);
      },
    },
  });
}
