/**
 * Indexing: keeps the read model in step with the catalog's product events
 * and the inventory's stock events. Use this service for every write to the
 * read model — the event consumer, the reindex and the benchmark loader all
 * go through `indexSnapshots`, so they index exactly alike.
 *
 * Rules:
 * - A snapshot (product.created / product.updated) replaces the whole
 *   document, but only when it is not older (updatedAt) than the stored one:
 *   out-of-order or replayed snapshots cannot regress a document.
 * - DRAFT and ARCHIVED products keep their row (so an older ACTIVE snapshot
 *   arriving late cannot resurrect them) and are filtered out of every query.
 * - product.price_changed patches one variant price when the document is not
 *   newer than the event; the product.updated the catalog publishes right
 *   after carries the same price, so either order converges.
 * - stock.level_changed updates the variant's availability (newest changedAt
 *   wins) and the product's in_stock (some variant in stock). Stock for a
 *   variant not seen yet is kept and applied when its product arrives.
 *
 * Callers pass the transaction; each function's writes belong to it (the
 * consumer's transaction also holds the processed_events row).
 */
import type { ProductPriceChangedPayload, StockLevelChangedPayload } from '@commerce/events';
import {
  applyVariantPrice,
  applyVariantStock,
  confirmGeneration,
  replaceVariants,
  upsertCategories,
  upsertDocuments,
  type GenerationStamp,
} from '../data/index-store.js';
import type { SearchDb } from '../data/prisma.js';
import { newestPerProduct, toIndexedProduct, type CategoryRow, type ProductSnapshot } from './documents.js';

export interface IndexResult {
  /** Snapshots written (newer than or as new as the stored document). */
  written: number;
  /** Snapshots ignored because the stored document is newer. */
  stale: number;
}

export interface IndexOptions {
  /** A reindex run's generation; omitted for live indexing. */
  generation?: bigint;
}

/** Indexes a batch of snapshots (any size; one statement per table). */
export async function indexSnapshots(db: SearchDb, snapshots: readonly ProductSnapshot[], options: IndexOptions = {}): Promise<IndexResult> {
  const latest = newestPerProduct(snapshots);
  if (latest.length === 0) return { written: 0, stale: 0 };
  const indexed = latest.map(toIndexedProduct);
  const stamp: GenerationStamp = options.generation === undefined ? { kind: 'live' } : { kind: 'run', generation: options.generation };

  const written = new Set(await upsertDocuments(db, indexed.map((entry) => entry.document), stamp));
  const writtenProducts = indexed.filter((entry) => written.has(entry.document.id));
  await replaceVariants(
    db,
    writtenProducts.map((entry) => entry.document.id),
    writtenProducts.flatMap((entry) => entry.variants),
  );
  await upsertCategories(db, newestCategories(indexed.flatMap((entry) => entry.categories)));
  if (options.generation !== undefined && written.size < indexed.length) {
    // Seen by this run but already newer here (the live consumer got there first): keep them.
    const stale = indexed.map((entry) => entry.document.id).filter((id) => !written.has(id));
    await confirmGeneration(db, stale, options.generation);
  }
  return { written: written.size, stale: indexed.length - written.size };
}

/** One row per category: the description from the newest snapshot, sorted by id (lock order). */
function newestCategories(categories: readonly CategoryRow[]): CategoryRow[] {
  const byId = new Map<string, CategoryRow>();
  for (const category of categories) {
    const current = byId.get(category.id);
    if (!current || Date.parse(current.updated_at) <= Date.parse(category.updated_at)) byId.set(category.id, category);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** product.price_changed; `occurredAt` is the event's. Returns whether anything changed. */
export function indexPriceChange(db: SearchDb, payload: ProductPriceChangedPayload, occurredAt: string): Promise<boolean> {
  return applyVariantPrice(db, {
    productId: payload.productId,
    variantId: payload.variantId,
    currency: payload.currency,
    amountMinor: payload.amountMinor,
    occurredAt,
  });
}

/** stock.level_changed. Returns whether the stored availability changed. */
export function indexStockLevel(db: SearchDb, payload: StockLevelChangedPayload): Promise<boolean> {
  return applyVariantStock(db, payload);
}
