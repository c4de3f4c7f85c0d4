/**
 * Batched reads: each function answers for many variants or products in one
 * SQL statement, so a page of N entities costs what a page of one costs.
 * Unknown ids get neutral answers (no stock), never errors.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { InventoryDb } from './prisma.js';

/** A variant's stock summed over warehouses. `threshold` is the default for a variant never heard of. */
export interface VariantStockRow {
  variantId: string;
  onHand: number;
  reserved: number;
  threshold: number;
  /** False when inventory has never heard of the variant. */
  known: boolean;
}

export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

export async function stockOfVariants(db: InventoryDb, variantIds: readonly string[]): Promise<VariantStockRow[]> {
  if (variantIds.length === 0) return [];
  return db.$queryRaw<VariantStockRow[]>`
    SELECT k.id::text AS "variantId",
           COALESCE(SUM(s.on_hand), 0)::int AS "onHand",
           COALESCE(SUM(s.reserved), 0)::int AS "reserved",
           COALESCE(v.low_stock_threshold, ${DEFAULT_LOW_STOCK_THRESHOLD}::int) AS "threshold",
           (v.id IS NOT NULL) AS "known"
      FROM unnest(${[...variantIds]}::uuid[]) AS k(id)
      LEFT JOIN variants v ON v.id = k.id
      LEFT JOIN stock_levels s ON s.variant_id = k.id
     GROUP BY k.id, v.id, v.low_stock_threshold`;
}

/** Whether any variant of each product has a unit available (false for unknown products). */
export async function productsInStock(db: InventoryDb, productIds: readonly string[]): Promise<Map<string, boolean>> {
  if (productIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ productId: string; inStock: boolean }[]>`
    SELECT k.id::text AS "productId",
           EXISTS (SELECT 1 FROM variants v JOIN stock_levels s ON s.variant_id = v.id
                    WHERE v.product_id = k.id AND s.on_hand > s.reserved) AS "inStock"
      FROM unnest(${[...productIds]}::uuid[]) AS k(id)`;
  return new Map(rows.map((row) => [row.productId, row.inStock]));
}

export interface WarehouseRow {
  id: string;
  code: string;
  name: string;
  country: string;
  priority: number;
}

export interface WarehouseStockRow {
  variantId: string;
  warehouse: WarehouseRow;
  onHand: number;
  reserved: number;
  available: number;
}

/** Per-warehouse stock of each variant, in allocation order (warehouse priority, then id). */
export async function warehouseStockOfVariants(db: InventoryDb, variantIds: readonly string[]): Promise<WarehouseStockRow[]> {
  if (variantIds.length === 0) return [];
  const rows = await db.$queryRaw<(Omit<WarehouseStockRow, 'warehouse' | 'available'> & WarehouseRow)[]>`
    SELECT s.variant_id::text AS "variantId", s.on_hand AS "onHand", s.reserved,
           w.id::text AS id, w.code, w.name, w.country, w.priority
      FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
     WHERE s.variant_id = ANY(${[...variantIds]}::uuid[])
     ORDER BY s.variant_id, w.priority, w.id`;
  return rows.map(({ variantId, onHand, reserved, id, code, name, country, priority }) => ({
    variantId,
    onHand,
    reserved,
    available: onHand - reserved,
    warehouse: { id, code, name, country, priority },
  }));
}

export async function allWarehouses(db: InventoryDb): Promise<WarehouseRow[]> {
  return db.$queryRaw<WarehouseRow[]>`
    SELECT id::text AS id, code, name, country, priority FROM warehouses ORDER BY priority, id`;
}

/** One row of the admin's stock list: a known variant with its stock summed over warehouses. */
export interface StockLevelRow {
  variantId: string;
  productId: string;
  sku: string;
  onHand: number;
  reserved: number;
  threshold: number;
  updatedAt: Date;
}

/** What the admin's stock list filters on; every part is optional and they combine with AND. */
export interface StockLevelQuery {
  /** Only variants at or below their threshold. */
  lowStockOnly: boolean;
  /** SKU contains this (case-insensitive); null for any. */
  search: string | null;
  /** Only variants with units on hand in this warehouse. */
  warehouseId: string | null;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function stockLevelWhere(query: StockLevelQuery): Prisma.Sql {
  const low = query.lowStockOnly ? Prisma.sql`AND v.available <= v.low_stock_threshold` : Prisma.empty;
  const search = query.search ? Prisma.sql`AND v.sku ILIKE ${`%${escapeLike(query.search)}%`}` : Prisma.empty;
  const warehouse = query.warehouseId
    ? Prisma.sql`AND EXISTS (SELECT 1 FROM stock_levels w WHERE w.variant_id = v.id AND w.warehouse_id = ${query.warehouseId}::uuid AND w.on_hand > 0)`
    : Prisma.empty;
  return Prisma.sql`TRUE ${low} ${search} ${warehouse}`;
}

/**
 * Known variants by id (uuid v7 from the catalog: oldest first), after the
 * cursor, `limit` rows. With `lowStockOnly`, only variants whose availability
 * is at or below their threshold, read from the availability every stock
 * change maintains on the variant row.
 */
export async function stockLevelPage(
  db: InventoryDb,
  options: StockLevelQuery & { limit: number; after: string | null },
): Promise<StockLevelRow[]> {
  const after = options.after === null ? Prisma.empty : Prisma.sql`AND v.id > ${options.after}::uuid`;
  return db.$queryRaw<StockLevelRow[]>`
    SELECT v.id::text AS "variantId", v.product_id::text AS "productId", v.sku,
           COALESCE(SUM(s.on_hand), 0)::int AS "onHand",
           COALESCE(SUM(s.reserved), 0)::int AS "reserved",
           v.low_stock_threshold AS "threshold",
           GREATEST(v.updated_at, MAX(s.updated_at)) AS "updatedAt"
      FROM variants v LEFT JOIN stock_levels s ON s.variant_id = v.id
     WHERE ${stockLevelWhere(options)} ${after}
     GROUP BY v.id
     ORDER BY v.id
     LIMIT ${options.limit}`;
}

/** How many variants the stock list's filter matches (all pages). */
export async function stockLevelCount(db: InventoryDb, query: StockLevelQuery): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM variants v WHERE ${stockLevelWhere(query)}`;
  return row?.count ?? 0;
}
