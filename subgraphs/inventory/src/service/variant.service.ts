/**
 * The read model of the catalog's variants (variant id → product id, sku),
 * kept from product.created and product.updated, so inventory knows which
 * variants make up a product (Product.inStock) without asking the catalog.
 *
 * A variant seen for the first time gets a stock row in every warehouse,
 * with the units the InitialStockStrategy gives it (zero by default). A
 * variant that disappears from a later snapshot is kept: its units are still
 * on the shelf until someone adjusts them away.
 *
 * Full snapshots make the consumer order-insensitive: an update seen before
 * its create (they share a partition, so that should not happen) simply
 * creates the variants.
 */
import type { ProductSnapshot } from '@commerce/events';
import type { InventoryServiceContext } from '../context.js';
import type { InventoryTx } from '../data/prisma.js';
import { recordMovements, type Movement } from '../data/stock-writes.js';
import { recordLevelChanges } from './stock.service.js';

export interface SyncResult {
  created: string[];
  updated: string[];
}

/** Upserts the product's variants and creates stock for the new ones, in the caller's transaction. */
export async function syncProductVariants(ctx: InventoryServiceContext, tx: InventoryTx, product: ProductSnapshot): Promise<SyncResult> {
  const productId = product.productId.toLowerCase();
  const variants = product.variants
    .map((variant) => ({ id: variant.variantId.toLowerCase(), sku: variant.sku }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const created: string[] = [];
  const updated: string[] = [];
  for (const variant of variants) {
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO variants (id, product_id, sku, updated_at)
      VALUES (${variant.id}::uuid, ${productId}::uuid, ${variant.sku}, now())
      ON CONFLICT (id) DO NOTHING
      RETURNING id::text`;
    if (inserted.length > 0) {
      created.push(variant.id);
      continue;
    }
    // Only rows that really changed are locked (and only the variant row:
    // this transaction then takes no stock row lock for it).
    const changed = await tx.$executeRaw`
      UPDATE variants SET product_id = ${productId}::uuid, sku = ${variant.sku}, updated_at = now()
       WHERE id = ${variant.id}::uuid AND (product_id <> ${productId}::uuid OR sku <> ${variant.sku})`;
    if (changed > 0) updated.push(variant.id);
  }
  if (created.length > 0) await createInitialStock(ctx, tx, created);
  if (created.length + updated.length > 0) {
    ctx.logger.info({ productId, created: created.length, updated: updated.length }, 'variant read model updated');
  }
  return { created, updated };
}

/**
 * A stock row per warehouse for variants this transaction just created
 * (nobody else can see them yet, so no lock can be contended), with the
 * strategy's units, then their first level change.
 */
async function createInitialStock(ctx: InventoryServiceContext, tx: InventoryTx, variantIds: readonly string[]): Promise<void> {
  const warehouses = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM warehouses ORDER BY id`;
  const strategy = ctx.settings.initialStock;
  const rows = variantIds.flatMap((variantId) =>
    warehouses.map((warehouse) => ({ variantId, warehouseId: warehouse.id, onHand: strategy.onHandFor(variantId, warehouse.id) })),
  );
  await tx.stockLevel.createMany({ data: rows, skipDuplicates: true });
  const movements: Movement[] = rows
    .filter((row) => row.onHand > 0)
    .map((row) => ({
      variantId: row.variantId,
      warehouseId: row.warehouseId,
      kind: 'INITIAL',
      delta: row.onHand,
      onHandAfter: row.onHand,
      reason: `initial stock (${strategy.name})`,
    }));
  await recordMovements(tx, movements);
  await recordLevelChanges(ctx, tx, variantIds);
}
