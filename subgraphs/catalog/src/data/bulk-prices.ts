/**
 * SQL of the bulk price change: which products and prices a selection (product
 * ids, or a category subtree) covers, read through the read path for a
 * preview or inside the applying transaction (locked), and the one-statement
 * price update.
 */
import type { CatalogTx } from './prisma.js';
import type { CatalogSql } from './sql.js';

/** The products a bulk change is about: explicit ids, or a category and its subcategories. */
export interface BulkSelection {
  productIds: readonly string[] | null;
  categoryId: string | null;
}

/** One variant's price in the currency, with what a preview line shows. */
export interface BulkPriceRow {
  productId: string;
  productName: string;
  variantId: string;
  sku: string;
  variantName: string;
  position: number;
  amountMinor: number;
}

const SELECTED_PRODUCTS = `
  WITH RECURSIVE tree(id) AS (
    SELECT c.id FROM categories c WHERE c.id = $2::uuid
    UNION ALL
    SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
  )
  SELECT p.id::text AS "id" FROM products p
  WHERE p.id = ANY($1::uuid[]) OR p.category_id IN (SELECT tree.id FROM tree)
  ORDER BY p.id`;

// Row locks in id order: two bulk changes over overlapping products never deadlock.
const LOCK_SELECTED_PRODUCTS = `${SELECTED_PRODUCTS} FOR UPDATE OF p`;

const SELECTED_PRICES = `
  SELECT p.id::text AS "productId", p.name AS "productName", v.id::text AS "variantId", v.sku,
    v.name AS "variantName", v.position, pr.amount AS "amountMinor"
  FROM products p
  JOIN product_variants v ON v.product_id = p.id
  JOIN prices pr ON pr.variant_id = v.id AND pr.currency = $2
  WHERE p.id = ANY($1::uuid[])
  ORDER BY p.id DESC, v.position, v.id`;

const selectionValues = (selection: BulkSelection): unknown[] => [selection.productIds, selection.categoryId];

/** Preview: the selected product ids (ascending), then their prices in the currency, without locks. */
export async function selectedPrices(
  sql: CatalogSql,
  selection: BulkSelection,
  currency: string,
): Promise<{ productIds: string[]; prices: BulkPriceRow[] }> {
  const productIds = (await sql.rows<{ id: string }>(SELECTED_PRODUCTS, selectionValues(selection))).map((row) => row.id);
  const prices = productIds.length ? await sql.rows<BulkPriceRow>(SELECTED_PRICES, [productIds, currency]) : [];
  return { productIds, prices };
}

/** Apply: the same, with the selected product rows locked for the rest of the transaction. */
export async function lockSelectedPrices(
  tx: CatalogTx,
  selection: BulkSelection,
  currency: string,
): Promise<{ productIds: string[]; prices: BulkPriceRow[] }> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(LOCK_SELECTED_PRODUCTS, ...selectionValues(selection));
  const productIds = rows.map((row) => row.id);
  const prices = productIds.length ? await tx.$queryRawUnsafe<BulkPriceRow[]>(SELECTED_PRICES, productIds, currency) : [];
  return { productIds, prices };
}

/** Sets each variant's price in the currency, and moves each product's version and updatedAt on; two statements. */
export async function writeBulkPrices(
  tx: CatalogTx,
  currency: string,
  updates: readonly { variantId: string; amountMinor: number }[],
  productIds: readonly string[],
): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE prices pr SET amount = u.amount, updated_at = now()
     FROM unnest($1::uuid[], $2::int[]) AS u(variant_id, amount)
     WHERE pr.variant_id = u.variant_id AND pr.currency = $3`,
    updates.map((update) => update.variantId),
    updates.map((update) => update.amountMinor),
    currency,
  );
  await tx.$executeRawUnsafe(
    'UPDATE products SET version = version + 1, updated_at = clock_timestamp() WHERE id = ANY($1::uuid[])',
    productIds,
  );
}
