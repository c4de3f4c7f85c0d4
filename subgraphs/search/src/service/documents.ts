/**
 * How a catalog product snapshot becomes a search document. Pure functions:
 * the indexing service decides when to apply them, the data layer writes the
 * rows. Everything search needs is derived here once, at indexing time, so a
 * query never unpacks a snapshot:
 *
 * - the category path as ids (filter and facet "including descendants" is a
 *   containment test) and names (weight B of the text);
 * - distinct option values as "<name>\u001f<value>" strings (facets, filters,
 *   weight D of the text);
 * - the lowest variant price per supported currency (price filter, buckets,
 *   price sorts).
 */
import type { ProductSnapshot } from '@commerce/events';

export type { ProductSnapshot };

/** Currencies of the schema's CurrencyCode enum; each has a min-price column. */
export const CURRENCIES = ['USD', 'EUR'] as const;
export type CurrencyCode = (typeof CURRENCIES)[number];

export const isCurrency = (value: string): value is CurrencyCode => (CURRENCIES as readonly string[]).includes(value);

/** Joins an option's name and value in `option_values` (U+001F, the unit separator, never typed by anyone). */
export const OPTION_SEPARATOR = '\u001f';

export const optionKey = (name: string, value: string): string => `${name}${OPTION_SEPARATOR}${value}`;

export function splitOptionKey(key: string): { name: string; value: string } {
  const at = key.indexOf(OPTION_SEPARATOR);
  return at === -1 ? { name: key, value: '' } : { name: key.slice(0, at), value: key.slice(at + 1) };
}

/** A search_products row as the indexer writes it (snake_case: it goes to SQL as JSON). */
export interface SearchDocument {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string | null;
  status: ProductSnapshot['status'];
  category_id: string;
  category_ids: string[];
  category_names: string[];
  option_values: string[];
  /** Not stored on the row: decides in_stock from the stock already known. */
  variant_ids: string[];
  price_min_usd: number | null;
  price_min_eur: number | null;
  rating_average: number | null;
  rating_count: number;
  created_at: string;
  updated_at: string;
}

export interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  /** Minor units by currency code. */
  prices: Record<string, number>;
}

export interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  depth: number;
  /** The describing snapshot's updatedAt: a category row only moves forward. */
  updated_at: string;
}

export interface IndexedProduct {
  document: SearchDocument;
  variants: VariantRow[];
  categories: CategoryRow[];
}

/** Everything the read model stores about one snapshot. */
export function toIndexedProduct(snapshot: ProductSnapshot): IndexedProduct {
  const path = snapshot.categoryPath.length > 0 ? snapshot.categoryPath : [];
  const categoryIds = path.map((entry) => entry.id);
  // A path always ends at the product's own category; tolerate one that does not.
  if (categoryIds[categoryIds.length - 1] !== snapshot.categoryId) categoryIds.push(snapshot.categoryId);

  const options = new Set<string>();
  const minPrice = new Map<string, number>();
  const variants: VariantRow[] = snapshot.variants.map((variant) => {
    for (const option of variant.options) {
      const name = option.name.trim();
      const value = option.value.trim();
      if (name && value) options.add(optionKey(name, value));
    }
    const prices: Record<string, number> = {};
    for (const price of variant.prices) {
      prices[price.currency] = price.amountMinor;
      const current = minPrice.get(price.currency);
      if (current === undefined || price.amountMinor < current) minPrice.set(price.currency, price.amountMinor);
    }
    return { id: variant.variantId, product_id: snapshot.productId, sku: variant.sku, prices };
  });

  const categories: CategoryRow[] = path.map((entry, depth) => ({
    id: entry.id,
    slug: entry.slug,
    name: entry.name,
    parent_id: depth === 0 ? null : (path[depth - 1]?.id ?? null),
    depth,
    updated_at: snapshot.updatedAt,
  }));

  return {
    document: {
      id: snapshot.productId,
      slug: snapshot.slug,
      name: snapshot.name,
      description: snapshot.description,
      brand: snapshot.brand,
      status: snapshot.status,
      category_id: snapshot.categoryId,
      category_ids: categoryIds,
      category_names: path.map((entry) => entry.name),
      option_values: [...options].sort(),
      variant_ids: variants.map((variant) => variant.id),
      price_min_usd: minPrice.get('USD') ?? null,
      price_min_eur: minPrice.get('EUR') ?? null,
      rating_average: snapshot.ratingAverage,
      rating_count: snapshot.ratingCount,
      created_at: snapshot.createdAt,
      updated_at: snapshot.updatedAt,
    },
    variants,
    categories,
  };
}

/**
 * One snapshot per product: the newest by updatedAt, and of equal ones the
 * later in the list (the order they were delivered in). A batch with two
 * snapshots of a product (a replay) must not upsert the same row twice.
 */
export function newestPerProduct(snapshots: readonly ProductSnapshot[]): ProductSnapshot[] {
  const newest = new Map<string, ProductSnapshot>();
  for (const snapshot of snapshots) {
    const current = newest.get(snapshot.productId);
    if (!current || Date.parse(current.updatedAt) <= Date.parse(snapshot.updatedAt)) newest.set(snapshot.productId, snapshot);
  }
  // Sorted by id: concurrent writers lock rows in one order.
  return [...newest.values()].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}
