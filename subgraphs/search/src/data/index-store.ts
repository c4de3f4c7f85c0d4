/**
 * Writes to the read model. Every write is a set-based statement over a batch
 * (documents travel as one JSON parameter and are unpacked with
 * jsonb_to_recordset), so the live consumer (one product per event), the
 * reindex (hundreds per transaction) and the benchmark loader share one code
 * path and one cost model.
 *
 * Version rule: a document is written only when the incoming snapshot's
 * updated_at is not older than the stored one; the same for category rows and
 * variant stock. Redelivered or replayed old snapshots are therefore no-ops.
 */
import { Prisma, type SearchDb } from './prisma.js';
import type { CategoryRow, SearchDocument, VariantRow } from '../service/documents.js';

/** Which generation a write stamps: a reindex run's own, or (live consumer) the newest run's. */
export type GenerationStamp = { kind: 'run'; generation: bigint } | { kind: 'live' };

const generationSql = (stamp: GenerationStamp): Prisma.Sql =>
  stamp.kind === 'run'
    ? Prisma.sql`${stamp.generation}::bigint`
    : // Rows the live consumer writes during a reindex belong to that reindex's generation, so its prune keeps them.
      Prisma.sql`(SELECT coalesce(max(id), 0) FROM search_reindex_runs)`;

/**
 * Upserts documents that are not older than what is stored. Returns the ids
 * actually written. in_stock is decided here from the stock already known
 * for the document's variants (stock events may precede the first snapshot).
 */
export async function upsertDocuments(db: SearchDb, documents: readonly SearchDocument[], stamp: GenerationStamp): Promise<string[]> {
  if (documents.length === 0) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH d AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(documents)}::jsonb) AS d(
        id uuid, slug text, name text, description text, brand text, status text, category_id uuid,
        category_ids uuid[], category_names text[], option_values text[], variant_ids uuid[],
        price_min_usd int, price_min_eur int, rating_average float8, rating_count int,
        created_at timestamptz, updated_at timestamptz)
    )
    INSERT INTO search_products AS p (
      id, slug, name, description, brand, status, category_id, category_ids, category_names, option_values,
      price_min_usd, price_min_eur, in_stock, rating_average, rating_count, created_at, updated_at, indexed_at, generation)
    SELECT d.id, d.slug, d.name, d.description, d.brand, d.status::"ProductStatus", d.category_id, d.category_ids,
           d.category_names, d.option_values, d.price_min_usd, d.price_min_eur,
           EXISTS (SELECT 1 FROM search_variant_stock s WHERE s.variant_id = ANY (d.variant_ids) AND s.in_stock),
           d.rating_average, d.rating_count, d.created_at, d.updated_at, now(), ${generationSql(stamp)}
      FROM d
    ON CONFLICT (id) DO UPDATE SET
      slug = EXCLUDED.slug, name = EXCLUDED.name, description = EXCLUDED.description, brand = EXCLUDED.brand,
      status = EXCLUDED.status, category_id = EXCLUDED.category_id, category_ids = EXCLUDED.category_ids,
      category_names = EXCLUDED.category_names, option_values = EXCLUDED.option_values,
      price_min_usd = EXCLUDED.price_min_usd, price_min_eur = EXCLUDED.price_min_eur, in_stock = EXCLUDED.in_stock,
      rating_average = EXCLUDED.rating_average, rating_count = EXCLUDED.rating_count,
      created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, indexed_at = EXCLUDED.indexed_at,
      generation = GREATEST(p.generation, EXCLUDED.generation)
    WHERE p.updated_at <= EXCLUDED.updated_at
    RETURNING p.id::text AS id`;
  return rows.map((row) => row.id);
}

/** Replaces the variants of the given (just written) products: upsert the listed ones, drop the rest. */
export async function replaceVariants(db: SearchDb, productIds: readonly string[], variants: readonly VariantRow[]): Promise<void> {
  if (productIds.length === 0) return;
  const ids = [...productIds];
  const keep = variants.map((variant) => variant.id);
  await db.$executeRaw`
    DELETE FROM search_variants WHERE product_id = ANY (${ids}::uuid[]) AND NOT (id = ANY (${keep}::uuid[]))`;
  if (variants.length === 0) return;
  await db.$executeRaw`
    INSERT INTO search_variants AS v (id, product_id, sku, prices)
    SELECT x.id, x.product_id, x.sku, x.prices
      FROM jsonb_to_recordset(${JSON.stringify(variants)}::jsonb) AS x(id uuid, product_id uuid, sku text, prices jsonb)
    ON CONFLICT (id) DO UPDATE SET product_id = EXCLUDED.product_id, sku = EXCLUDED.sku, prices = EXCLUDED.prices
    WHERE (v.product_id, v.sku, v.prices) IS DISTINCT FROM (EXCLUDED.product_id, EXCLUDED.sku, EXCLUDED.prices)`;
}

/** Upserts categories described by snapshots, never going back to an older description. */
export async function upsertCategories(db: SearchDb, categories: readonly CategoryRow[]): Promise<void> {
  if (categories.length === 0) return;
  await db.$executeRaw`
    INSERT INTO search_categories AS c (id, slug, name, parent_id, depth, updated_at)
    SELECT x.id, x.slug, x.name, x.parent_id, x.depth, x.updated_at
      FROM jsonb_to_recordset(${JSON.stringify(categories)}::jsonb)
        AS x(id uuid, slug text, name text, parent_id uuid, depth int, updated_at timestamptz)
    ON CONFLICT (id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
      depth = EXCLUDED.depth, updated_at = EXCLUDED.updated_at
    WHERE c.updated_at <= EXCLUDED.updated_at
      AND (c.slug, c.name, c.parent_id, c.depth) IS DISTINCT FROM (EXCLUDED.slug, EXCLUDED.name, EXCLUDED.parent_id, EXCLUDED.depth)`;
}

/** A reindex run saw these products (written or already newer): they survive its prune. */
export async function confirmGeneration(db: SearchDb, productIds: readonly string[], generation: bigint): Promise<void> {
  if (productIds.length === 0) return;
  await db.$executeRaw`
    UPDATE search_products SET generation = ${generation}::bigint
     WHERE id = ANY (${[...productIds]}::uuid[]) AND generation < ${generation}::bigint`;
}

/**
 * One variant's price in one currency changed (product.price_changed). Applied
 * only when the product's document is not newer than the event: the
 * product.updated that follows carries the same price anyway. Returns whether
 * it was applied.
 */
export async function applyVariantPrice(
  db: SearchDb,
  change: { productId: string; variantId: string; currency: string; amountMinor: number; occurredAt: string },
): Promise<boolean> {
  const updated = await db.$executeRaw`
    UPDATE search_variants v SET prices = v.prices || jsonb_build_object(${change.currency}::text, ${change.amountMinor}::int)
      FROM search_products p
     WHERE v.id = ${change.variantId}::uuid AND v.product_id = ${change.productId}::uuid AND p.id = v.product_id
       AND p.updated_at <= ${change.occurredAt}::timestamptz`;
  if (updated === 0) return false;
  // A second statement: a data-modifying CTE's changes are invisible to the rest of its statement.
  await db.$executeRaw`
    UPDATE search_products p SET
      price_min_usd = (SELECT min((v.prices ->> 'USD')::int) FROM search_variants v WHERE v.product_id = p.id),
      price_min_eur = (SELECT min((v.prices ->> 'EUR')::int) FROM search_variants v WHERE v.product_id = p.id),
      indexed_at = now()
     WHERE p.id = ${change.productId}::uuid`;
  return true;
}

/**
 * A variant's availability (stock.level_changed). The stock row only moves
 * forward in changedAt; the owning product's in_stock is recomputed when the
 * variant is known. Returns whether the stock row was written.
 */
export async function applyVariantStock(
  db: SearchDb,
  level: { variantId: string; available: number; inStock: boolean; changedAt: string },
): Promise<boolean> {
  const written = await db.$executeRaw`
    INSERT INTO search_variant_stock AS s (variant_id, available, in_stock, changed_at)
    VALUES (${level.variantId}::uuid, ${level.available}::int, ${level.inStock}, ${level.changedAt}::timestamptz)
    ON CONFLICT (variant_id) DO UPDATE SET available = EXCLUDED.available, in_stock = EXCLUDED.in_stock, changed_at = EXCLUDED.changed_at
    WHERE s.changed_at <= EXCLUDED.changed_at`;
  if (written === 0) return false;
  await db.$executeRaw`
    UPDATE search_products p SET in_stock = x.in_stock, indexed_at = now()
      FROM (SELECT v.product_id,
                   EXISTS (SELECT 1 FROM search_variants w JOIN search_variant_stock s ON s.variant_id = w.id
                            WHERE w.product_id = v.product_id AND s.in_stock) AS in_stock
              FROM search_variants v WHERE v.id = ${level.variantId}::uuid) x
     WHERE p.id = x.product_id AND p.in_stock IS DISTINCT FROM x.in_stock`;
  return true;
}

// ---------------------------------------------------------------------------
// Reindex runs

export async function startReindexRun(db: SearchDb, source: string): Promise<bigint> {
  const [row] = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO search_reindex_runs (source, status) VALUES (${source}, 'RUNNING') RETURNING id`;
  if (!row) throw new Error('could not record the reindex run');
  return row.id;
}

export async function finishReindexRun(
  db: SearchDb,
  generation: bigint,
  outcome: { status: 'DONE' | 'FAILED'; snapshots: number; pruned: number | null; error?: string },
): Promise<void> {
  await db.$executeRaw`
    UPDATE search_reindex_runs
       SET status = ${outcome.status}, snapshots = ${outcome.snapshots}::int, pruned = ${outcome.pruned}::int,
           error = ${outcome.error ?? null}, finished_at = now()
     WHERE id = ${generation}::bigint`;
}

/**
 * Deletes documents the run neither wrote nor confirmed and that are not
 * newer than the source's point in time (those the source cannot know about).
 * Variants go with them (ON DELETE CASCADE).
 */
export async function pruneStaleDocuments(db: SearchDb, generation: bigint, sourceAsOf: Date): Promise<number> {
  return db.$executeRaw`
    DELETE FROM search_products WHERE generation < ${generation}::bigint AND updated_at <= ${sourceAsOf}`;
}
