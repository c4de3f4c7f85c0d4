/**
 * Per-request loaders: every relation of the catalog graph is fetched for
 * a whole batch of parents in one SQL statement, so a page of N products costs
 * the same number of queries as a page of one. Loaders are created per request
 * (in the subgraph's createContext) so caches never leak between callers with
 * different permissions. They are SettledLoaders: once a batch has landed,
 * `get` hands the value over without a promise.
 */
import { groupBy, SettledLoader } from '@commerce/subgraph-kit';
import type { Category, Product, ProductImage, Review, VariantOption } from '../generated/prisma/client.js';
import { isUuid } from './ids.js';
import {
  activeProductCount,
  activeProductCountsInCategoryTrees,
  activeProductsInCategoryTrees,
  ancestorsOfCategories,
  categoriesByIds,
  categoriesBySlugs,
  childCategories,
  categoryCount,
  childCategoryCounts,
  imagesOfProducts,
  latestReviews,
  optionsOfVariants,
  pricesOfVariants,
  productsByIds,
  productsBySlugs,
  reviewCounts,
  variantsByIds,
  variantsBySkus,
  variantsOfProducts,
  type Keyed,
  type ListedProduct,
  type ListingRelations,
  type PositionCursor,
  type PriceRow,
  type VariantRow,
  type VariantWithPrices,
} from './reads.js';
import type { CatalogSql } from './sql.js';

/** A page request for one parent: the parent's key plus the page window. */
export interface PageKey<TCursor> {
  parent: string;
  limit: number;
  after: TCursor | null;
}

/** Key of `activeProductCount` for the whole catalog (not a category id). */
export const ALL_ACTIVE_PRODUCTS = '*';

/** Key of `childCategoryCount` for every category at any depth (not a parent id). */
export const ALL_CATEGORIES = '*';

/** Loads rows by unique id; unknown or malformed ids resolve to null. */
function byIdLoader<T extends { id: string }>(fetch: (ids: string[]) => Promise<T[]>): SettledLoader<string, T | null> {
  return new SettledLoader<string, T | null>(async (keys) => {
    const ids = [...new Set(keys.filter(isUuid))];
    const rows = ids.length ? await fetch(ids) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return keys.map((key) => byId.get(key) ?? null);
  });
}

/** Loads rows by a unique non-id column (slug, sku). */
function byUniqueLoader<T>(fetch: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string): SettledLoader<string, T | null> {
  return new SettledLoader<string, T | null>(async (keys) => {
    const rows = await fetch([...new Set(keys)]);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Loads every child row of each parent id (variants of a product, prices of a variant...). */
function childrenLoader<T>(fetch: (parentIds: string[]) => Promise<T[]>, parentOf: (row: T) => string): SettledLoader<string, T[]> {
  return new SettledLoader<string, T[]>(async (keys) => {
    const ids = [...new Set(keys.filter(isUuid))];
    const groups = groupBy(ids.length ? await fetch(ids) : [], parentOf);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/**
 * Loads one page per parent. Keys that share a window (limit and cursor) go
 * into one statement; in a listing every parent asks for the same window, so
 * that is one statement for the whole list.
 */
function pageLoader<TCursor, TRow>(
  fetch: (parents: string[], limit: number, after: TCursor | null) => Promise<Keyed<TRow>[]>,
): SettledLoader<PageKey<TCursor>, TRow[], string> {
  const cacheKey = (parent: string, limit: number, after: TCursor | null): string =>
    `${parent} ${limit} ${after === null ? '' : JSON.stringify(after)}`;
  return new SettledLoader<PageKey<TCursor>, TRow[], string>(
    async (keys) => {
      const windows = groupBy(keys, (key) => cacheKey('', key.limit, key.after));
      const pages = new Map<string, TRow[]>();
      await Promise.all(
        [...windows.values()].map(async (group) => {
          const { limit, after } = group[0] ?? { limit: 0, after: null };
          const rows = await fetch([...new Set(group.map((key) => key.parent))], limit, after);
          for (const [parent, parentRows] of groupBy(rows, (row) => row.key)) {
            // Rows keep their batch `key`; it is an extra field GraphQL never reads.
            pages.set(cacheKey(parent, limit, after), parentRows);
          }
        }),
      );
      return keys.map((key) => pages.get(cacheKey(key.parent, key.limit, key.after)) ?? []);
    },
    { cacheKeyFn: (key) => cacheKey(key.parent, key.limit, key.after) },
  );
}

export function createLoaders(sql: CatalogSql) {
  const variantById = byIdLoader<VariantRow>((ids) => variantsByIds(sql, ids));
  const pricesByVariant = childrenLoader<PriceRow>((ids) => pricesOfVariants(sql, ids), (p) => p.variantId);
  /**
   * A product's variants come with their prices (one statement): a page that
   * shows variants almost always shows a price. Later lookups of either by
   * variant id are served from this batch.
   */
  const variantsWithPrices = async (productIds: string[]): Promise<VariantWithPrices[]> => {
    const variants = await variantsOfProducts(sql, productIds);
    for (const variant of variants) {
      variantById.prime(variant.id, variant);
      pricesByVariant.prime(variant.id, variant.prices);
    }
    return variants;
  };
  const loaders = {
    productById: byIdLoader<Product>((ids) => productsByIds(sql, ids)),
    categoryById: byIdLoader<Category>((ids) => categoriesByIds(sql, ids)),
    variantById,
    productBySlug: byUniqueLoader<Product>((slugs) => productsBySlugs(sql, slugs), (p) => p.slug),
    categoryBySlug: byUniqueLoader<Category>((slugs) => categoriesBySlugs(sql, slugs), (c) => c.slug),
    variantBySku: byUniqueLoader<VariantRow>((skus) => variantsBySkus(sql, skus), (v) => v.sku),
    variantsByProduct: childrenLoader<VariantRow>(variantsWithPrices, (v) => v.productId),
    imagesByProduct: childrenLoader<ProductImage>((ids) => imagesOfProducts(sql, ids), (i) => i.productId),
    optionsByVariant: childrenLoader<VariantOption>((ids) => optionsOfVariants(sql, ids), (o) => o.variantId),
    pricesByVariant,
    /** Root first, parent last. */
    ancestorsByCategory: childrenLoader<Keyed<Category & { depth: number }>>(
      (ids) => ancestorsOfCategories(sql, ids),
      (row) => row.key,
    ),
    /** Parent '' is the top level. */
    childCategoriesPage: pageLoader<PositionCursor, Category>((parents, limit, after) =>
      childCategories(
        sql,
        parents.map((p) => (p === '' ? null : p)),
        limit,
        after,
      ),
    ),
    activeProductsInCategoryPage: pageLoader<string, Product>((roots, limit, after) =>
      activeProductsInCategoryTrees(sql, roots, limit, after),
    ),
    latestReviewsPage: pageLoader<string, Review>((products, limit, after) => latestReviews(sql, products, limit, after)),
    reviewCount: new SettledLoader<string, number>(async (ids) => {
      const counts = await reviewCounts(sql, ids.filter(isUuid));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    /**
     * Active products per category subtree (key: the root category id), or in
     * the whole catalog (key: ALL_ACTIVE_PRODUCTS). Every subtree a request
     * asks about is counted in one statement; unknown ids count 0.
     */
    activeProductCount: new SettledLoader<string, number>(async (keys) => {
      const roots = [...new Set(keys.filter(isUuid))];
      const [counts, all] = await Promise.all([
        activeProductCountsInCategoryTrees(sql, roots),
        keys.includes(ALL_ACTIVE_PRODUCTS) ? activeProductCount(sql) : Promise.resolve(0),
      ]);
      return keys.map((key) => (key === ALL_ACTIVE_PRODUCTS ? all : (counts.get(key) ?? 0)));
    }),
    /** Direct children per parent category; parent '' is the top level, ALL_CATEGORIES every category. One statement per batch. */
    childCategoryCount: new SettledLoader<string, number>(async (keys) => {
      const parents = [...new Set(keys.filter((key) => key === '' || isUuid(key)))];
      const [counts, all] = await Promise.all([
        childCategoryCounts(
          sql,
          parents.map((p) => (p === '' ? null : p)),
        ),
        keys.includes(ALL_CATEGORIES) ? categoryCount(sql) : Promise.resolve(0),
      ]);
      return keys.map((key) => (key === ALL_CATEGORIES ? all : (counts.get(key) ?? 0)));
    }),
  };
  return loaders;
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;

/** Lets later lookups by id (entity references, Variant.product) hit the cache. */
export function primeProducts(loaders: CatalogLoaders, products: readonly Product[]): void {
  for (const product of products) loaders.productById.prime(product.id, product);
}

/** A product's variants with their prices, as the variants batch itself primes them. */
function primeVariants(loaders: CatalogLoaders, productId: string, variants: readonly VariantWithPrices[]): void {
  loaders.variantsByProduct.prime(productId, [...variants]);
  for (const variant of variants) {
    loaders.variantById.prime(variant.id, variant);
    loaders.pricesByVariant.prime(variant.id, variant.prices);
  }
}

/** A listing's products and what its statement brought along, for the fields below it. */
export function primeListing(loaders: CatalogLoaders, listed: readonly ListedProduct[], relations: ListingRelations): void {
  for (const { product, variants, reviews } of listed) {
    loaders.productById.prime(product.id, product);
    if (variants) primeVariants(loaders, product.id, variants);
    if (reviews && relations.reviews) {
      loaders.latestReviewsPage.prime({ parent: product.id, limit: relations.reviews.limit, after: relations.reviews.after }, reviews);
    }
  }
}
