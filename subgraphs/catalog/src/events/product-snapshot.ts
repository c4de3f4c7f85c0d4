/**
 * The full product snapshot (ProductSnapshot, @commerce/events) carried by product.created and product.updated.
 * Consumers (search, cart, orders) keep their own copy of what they need, so
 * every event carries the whole product rather than a diff: a consumer that
 * missed one event is repaired by the next.
 *
 * Built inside the transaction that changed the product, after the change,
 * so the snapshot is exactly what that transaction commits.
 */
import type { ProductSnapshot } from '@commerce/events';
import type { CatalogTx } from '../data/prisma.js';
import { categoryPaths } from '../data/queries.js';

export const ratingAverage = (ratingSum: number, ratingCount: number): number | null =>
  ratingCount === 0 ? null : ratingSum / ratingCount;

/** A variant with its options and prices, as stored (or as the seed describes it). */
interface VariantSource {
  id: string;
  sku: string;
  name: string;
  options: readonly { name: string; value: string }[];
  prices: readonly { currency: string; amount: number }[];
}

/** Images and variants as the snapshot carries them; both are already in display order. */
export function snapshotMedia(product: {
  images: readonly { url: string; altText: string }[];
  variants: readonly VariantSource[];
}): Pick<ProductSnapshot, 'images' | 'variants'> {
  return {
    images: product.images.map((image) => ({ url: image.url, altText: image.altText })),
    variants: product.variants.map((variant) => ({
      variantId: variant.id,
      sku: variant.sku,
      name: variant.name,
      options: variant.options.map((option) => ({ name: option.name, value: option.value })),
      prices: variant.prices.map((price) => ({ currency: price.currency, amountMinor: price.amount })),
    })),
  };
}

/** Reads the product as this transaction sees it. Throws if it does not exist (a bug at the call site). */
export async function buildProductSnapshot(tx: CatalogTx, productId: string): Promise<ProductSnapshot> {
  const product = await tx.product.findUniqueOrThrow({
    where: { id: productId },
    include: {
      images: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
      variants: {
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
        include: { options: { orderBy: [{ position: 'asc' }, { name: 'asc' }] }, prices: { orderBy: { currency: 'asc' } } },
      },
    },
  });
  const paths = await categoryPaths(tx, [product.categoryId]);
  return {
    productId: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    brand: product.brand,
    status: product.status,
    categoryId: product.categoryId,
    categoryPath: paths.get(product.categoryId) ?? [],
    ...snapshotMedia(product),
    ratingAverage: ratingAverage(product.ratingSum, product.ratingCount),
    ratingCount: product.ratingCount,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
