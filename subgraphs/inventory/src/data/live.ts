/**
 * Live stock levels over Redis pub/sub (@commerce/live), for the admin's
 * `stockLevelChanged` subscription.
 *
 * Publishing: the `inventory-live` consumer group reads this subgraph's own
 * `stock.level_changed` events from Kafka (events/live-consumer.ts), so every
 * path that changes availability (requests, the order consumer, the sweeper,
 * any instance) is covered by one mechanism, and only after the change
 * committed (the outbox relay ships only committed rows). For each event it
 * reads the variant's stock as it is then and publishes it on one channel,
 * `live:stock:levels`. Redis fans it out to whichever instance holds a
 * subscriber; subscribers filter by warehouse and SKU themselves.
 *
 * Pub/sub is at-most-once: a client re-reads `stockLevels` after reconnecting.
 */
import { redisUrl as configuredRedisUrl } from '@commerce/config';
import { createLivePublisher, subscribeLiveReady, type LiveIterator, type LivePublisher } from '@commerce/live';
import type { InventoryDb } from './prisma.js';

/**
 * The one channel of stock level changes. Kept here, not in @commerce/live's
 * `liveChannel`, because only this subgraph publishes and subscribes to it.
 */
export const STOCK_LEVELS_CHANNEL = 'live:stock:levels';

/** A variant's stock as published (dates as ISO strings, which DateTime serializes as is). */
export interface LiveStockLevel {
  variantId: string;
  productId: string;
  sku: string;
  onHand: number;
  reserved: number;
  threshold: number;
  updatedAt: string;
  /**
   * Warehouses the variant's latest change touched: their rows carry the
   * newest updated_at (one transaction stamps every row it changes with its
   * start time). The subscription's `warehouseId` filter.
   */
  warehouseIds: string[];
  /** Epoch ms just before PUBLISH. */
  publishedAt: number;
}

/** The variant's stock now, or null when inventory does not know it. One statement. */
export async function readLiveStockLevel(db: InventoryDb, variantId: string): Promise<Omit<LiveStockLevel, 'publishedAt'> | null> {
  const [row] = await db.$queryRaw<(Omit<LiveStockLevel, 'publishedAt' | 'updatedAt'> & { updatedAt: Date })[]>`
    SELECT v.id::text AS "variantId", v.product_id::text AS "productId", v.sku,
           COALESCE(SUM(s.on_hand), 0)::int AS "onHand", COALESCE(SUM(s.reserved), 0)::int AS "reserved",
           v.low_stock_threshold AS "threshold", GREATEST(v.updated_at, MAX(s.updated_at)) AS "updatedAt",
           COALESCE(array_agg(s.warehouse_id::text ORDER BY s.warehouse_id)
                      FILTER (WHERE s.updated_at = (SELECT max(t.updated_at) FROM stock_levels t WHERE t.variant_id = v.id)), '{}') AS "warehouseIds"
      FROM variants v LEFT JOIN stock_levels s ON s.variant_id = v.id
     WHERE v.id = ${variantId}::uuid
     GROUP BY v.id`;
  return row ? { ...row, updatedAt: row.updatedAt.toISOString() } : null;
}

export interface StockLive {
  publish(level: Omit<LiveStockLevel, 'publishedAt'>): Promise<void>;
  /** Every level published from now on; resolves once Redis confirmed the SUBSCRIBE. */
  subscribe(): Promise<LiveIterator<LiveStockLevel>>;
  close(): Promise<void>;
}

export class RedisStockLive implements StockLive {
  readonly #redisUrl: string;
  #publisher: LivePublisher | undefined;

  constructor(redisUrl: string = configuredRedisUrl()) {
    this.#redisUrl = redisUrl;
  }

  async publish(level: Omit<LiveStockLevel, 'publishedAt'>): Promise<void> {
    this.#publisher ??= createLivePublisher(this.#redisUrl);
    await this.#publisher.publish(STOCK_LEVELS_CHANNEL, { ...level, publishedAt: Date.now() } satisfies LiveStockLevel);
  }

  subscribe(): Promise<LiveIterator<LiveStockLevel>> {
    // A burst (a big order, a sweep) must not grow without bound for a slow console: the newest matter.
    return subscribeLiveReady<LiveStockLevel>(STOCK_LEVELS_CHANNEL, { redisUrl: this.#redisUrl, bufferSize: 1000 });
  }

  async close(): Promise<void> {
    await this.#publisher?.close();
    this.#publisher = undefined;
  }
}
