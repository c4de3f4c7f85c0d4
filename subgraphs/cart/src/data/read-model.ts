/**
 * The cart's read model of catalog variants: who they are (sku, names,
 * product status) and their prices per currency. Built only from catalog
 * events (product.created, product.updated, product.price_changed) by the
 * cart's idempotent consumer; the cart never asks the catalog.
 *
 * Cart lines store the variant id, not a price: prices are read from here
 * whenever a cart is read, so a price change shows in every cart at once.
 */
import type { ProductPriceChangedPayload, ProductSnapshot } from '@commerce/events';
import { isUuid } from './ids.js';
import type { CartDb, CartTx } from './prisma.js';

export interface VariantView {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  variantName: string;
  /** The product's status: DRAFT, ACTIVE or ARCHIVED. */
  status: string;
  /** amountMinor by ISO currency. */
  prices: ReadonlyMap<string, number>;
}

/** "Product – Variant", or just the product's name for a nameless variant. */
export const lineTitle = (variant: Pick<VariantView, 'productName' | 'variantName'>): string =>
  variant.variantName.trim() ? `${variant.productName} – ${variant.variantName}` : variant.productName;

/** Only ACTIVE products can go into a cart, and only their lines count in totals. */
export const isPurchasable = (variant: VariantView | null | undefined): variant is VariantView =>
  variant?.status === 'ACTIVE';

interface VariantRecord {
  variant_id: string;
  product_id: string;
  sku: string;
  product_name: string;
  variant_name: string;
  status: string;
  /** amount_minor by currency. */
  prices: Record<string, number>;
}

/** Any number of variants with their prices, in one statement. */
export async function findVariants(db: CartDb, ids: readonly string[]): Promise<VariantView[]> {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return [];
  const records = await db.$queryRaw<VariantRecord[]>`
    SELECT v.variant_id::text AS variant_id, v.product_id::text AS product_id, v.sku, v.product_name, v.variant_name, v.status,
      COALESCE((
        SELECT json_object_agg(p.currency, p.amount_minor) FROM catalog_variant_prices p WHERE p.variant_id = v.variant_id
      ), '{}'::json) AS prices
    FROM catalog_variants v WHERE v.variant_id = ANY(${valid}::uuid[])`;
  return records.map((record) => ({
    variantId: record.variant_id,
    productId: record.product_id,
    sku: record.sku,
    productName: record.product_name,
    variantName: record.variant_name,
    status: record.status,
    prices: new Map(Object.entries(record.prices)),
  }));
}

/**
 * Upserts a product's variants and prices from a full snapshot. A snapshot
 * older than the one applied last (by the product's updatedAt) is ignored,
 * and variants the product no longer has leave the read model (their cart
 * lines then show as unavailable).
 */
export async function applyProductSnapshot(tx: CartTx, snapshot: ProductSnapshot): Promise<void> {
  const productUpdatedAt = new Date(snapshot.updatedAt);
  const newer = await tx.catalogVariant.findFirst({
    where: { productId: snapshot.productId, productUpdatedAt: { gt: productUpdatedAt } },
    select: { variantId: true },
  });
  if (newer) return;

  const variantIds = snapshot.variants.map((variant) => variant.variantId);
  await tx.catalogVariant.deleteMany({ where: { productId: snapshot.productId, variantId: { notIn: variantIds } } });
  for (const variant of snapshot.variants) {
    const fields = {
      productId: snapshot.productId,
      sku: variant.sku,
      productName: snapshot.name,
      variantName: variant.name,
      status: snapshot.status,
      productUpdatedAt,
    };
    await tx.catalogVariant.upsert({
      where: { variantId: variant.variantId },
      create: { variantId: variant.variantId, ...fields },
      update: fields,
    });
  }
  if (variantIds.length === 0) return;
  await tx.catalogVariantPrice.deleteMany({ where: { variantId: { in: variantIds } } });
  const prices = snapshot.variants.flatMap((variant) =>
    variant.prices.map((price) => ({ variantId: variant.variantId, currency: price.currency, amountMinor: price.amountMinor })),
  );
  if (prices.length > 0) await tx.catalogVariantPrice.createMany({ data: prices, skipDuplicates: true });
}

/**
 * One variant's price in one currency. A variant the read model does not know
 * yet is skipped: its product's snapshot (which the catalog publishes on every
 * change, on the same partition) brings it with all its prices.
 */
export async function applyPriceChange(tx: CartTx, change: ProductPriceChangedPayload): Promise<void> {
  // One statement: the upsert's SELECT finds no row for an unknown variant.
  await tx.$executeRaw`
    INSERT INTO catalog_variant_prices (variant_id, currency, amount_minor)
    SELECT v.variant_id, ${change.currency}, ${change.amountMinor}
    FROM catalog_variants v WHERE v.variant_id = ${change.variantId}::uuid
    ON CONFLICT (variant_id, currency) DO UPDATE SET amount_minor = EXCLUDED.amount_minor`;
}
