/**
 * Every read the request loaders make, as SQL over the read path's client
 * (data/sql.ts). Each function is one statement whatever the number of
 * parents, which is what keeps a listing page at one statement per relation:
 * by-id lookups take the whole batch of ids, "the first N rows per parent"
 * uses a LATERAL join, and the category tree is walked with recursive CTEs.
 *
 * Columns are aliased to the Prisma model field names, so rows have the shape
 * of what `prisma.<model>.findMany()` returns (uuid and enum columns arrive
 * as strings, timestamps as Dates). Variants and prices leave out the
 * timestamps no field of the schema shows.
 */
import type {
  Category,
  Price,
  Product,
  ProductImage,
  ProductVariant,
  Review,
  VariantOption,
} from '../generated/prisma/client.js';
import type { CatalogSql } from './sql.js';

/** A variant as the read path loads it. */
export type VariantRow = Omit<ProductVariant, 'createdAt' | 'updatedAt'>;
/** A price as the read path loads it: shaped as the schema's Money (amount in minor units as `amountMinor`). */
export type PriceRow = Pick<Price, 'variantId' | 'currency'> & { amountMinor: Price['amount'] };
/** A variant with every price of it, by currency. */
export type VariantWithPrices = VariantRow & { prices: PriceRow[] };

/** The key a batched row belongs to (a root category, a parent, a product). */
export type Keyed<T> = T & { key: string };

/** Keyset position in a (position, id) ordering, used for category lists. */
export interface PositionCursor {
  position: number;
  id: string;
}

const PRODUCT_COLUMNS = `p.id, p.slug, p.name, p.description, p.brand, p.status,
  p.category_id AS "categoryId", p.rating_count AS "ratingCount", p.rating_sum AS "ratingSum",
  p.version, p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

const CATEGORY_COLUMNS = `c.id, c.slug, c.name, c.description, c.parent_id AS "parentId", c.position, c.version, c.created_at AS "createdAt"`;

const VARIANT_COLUMNS = `v.id, v.product_id AS "productId", v.sku, v.name, v.position`;

const REVIEW_COLUMNS = `r.id, r.product_id AS "productId", r.author_id AS "authorId", r.rating, r.title, r.body, r.created_at AS "createdAt"`;

// ---------------------------------------------------------------------------
// Rows by key

const PRODUCTS_BY_ID = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ANY($1::uuid[])`;
const PRODUCTS_BY_SLUG = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.slug = ANY($1::text[])`;
const CATEGORIES_BY_ID = `SELECT ${CATEGORY_COLUMNS} FROM categories c WHERE c.id = ANY($1::uuid[])`;
const CATEGORIES_BY_SLUG = `SELECT ${CATEGORY_COLUMNS} FROM categories c WHERE c.slug = ANY($1::text[])`;
const VARIANTS_BY_ID = `SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.id = ANY($1::uuid[])`;
const VARIANTS_BY_SKU = `SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.sku = ANY($1::text[])`;

export const productsByIds = (sql: CatalogSql, ids: readonly string[]): Promise<Product[]> => sql.rows(PRODUCTS_BY_ID, [ids]);
export const productsBySlugs = (sql: CatalogSql, slugs: readonly string[]): Promise<Product[]> =>
  sql.rows(PRODUCTS_BY_SLUG, [slugs]);
export const categoriesByIds = (sql: CatalogSql, ids: readonly string[]): Promise<Category[]> =>
  sql.rows(CATEGORIES_BY_ID, [ids]);
export const categoriesBySlugs = (sql: CatalogSql, slugs: readonly string[]): Promise<Category[]> =>
  sql.rows(CATEGORIES_BY_SLUG, [slugs]);
export const variantsByIds = (sql: CatalogSql, ids: readonly string[]): Promise<VariantRow[]> => sql.rows(VARIANTS_BY_ID, [ids]);
export const variantsBySkus = (sql: CatalogSql, skus: readonly string[]): Promise<VariantRow[]> =>
  sql.rows(VARIANTS_BY_SKU, [skus]);

// ---------------------------------------------------------------------------
// Children of a batch of parents, in display order

// Prices ride along as one JSON array per variant: pg hands it to JSON.parse, far cheaper than a row per price.
const VARIANTS_OF_PRODUCTS = `SELECT ${VARIANT_COLUMNS},
    coalesce((SELECT json_agg(json_build_object('variantId', pr.variant_id, 'currency', pr.currency, 'amountMinor', pr.amount)
      ORDER BY pr.currency) FROM prices pr WHERE pr.variant_id = v.id), '[]') AS "prices"
  FROM product_variants v WHERE v.product_id = ANY($1::uuid[]) ORDER BY v.position, v.id`;
const IMAGES_OF_PRODUCTS = `SELECT i.id, i.product_id AS "productId", i.url, i.alt_text AS "altText", i.position
  FROM product_images i WHERE i.product_id = ANY($1::uuid[]) ORDER BY i.position, i.id`;
const OPTIONS_OF_VARIANTS = `SELECT o.variant_id AS "variantId", o.name, o.value, o.position
  FROM variant_options o WHERE o.variant_id = ANY($1::uuid[]) ORDER BY o.position, o.name`;
const PRICES_OF_VARIANTS = `SELECT pr.variant_id AS "variantId", pr.currency, pr.amount AS "amountMinor"
  FROM prices pr WHERE pr.variant_id = ANY($1::uuid[]) ORDER BY pr.currency`;

/** Every variant of each product in display order, each with its prices in currency order. */
export const variantsOfProducts = (sql: CatalogSql, productIds: readonly string[]): Promise<VariantWithPrices[]> =>
  sql.rows(VARIANTS_OF_PRODUCTS, [productIds]);
export const imagesOfProducts = (sql: CatalogSql, productIds: readonly string[]): Promise<ProductImage[]> =>
  sql.rows(IMAGES_OF_PRODUCTS, [productIds]);
export const optionsOfVariants = (sql: CatalogSql, variantIds: readonly string[]): Promise<VariantOption[]> =>
  sql.rows(OPTIONS_OF_VARIANTS, [variantIds]);
export const pricesOfVariants = (sql: CatalogSql, variantIds: readonly string[]): Promise<PriceRow[]> =>
  sql.rows(PRICES_OF_VARIANTS, [variantIds]);

// ---------------------------------------------------------------------------
// Product listings

/** Relations a listing loads in the same statement as its products. */
export interface ListingRelations {
  /** Every variant with its prices. */
  variants: boolean;
  /** The newest `limit` reviews (after `after`) of each product. */
  reviews: { limit: number; after: string | null } | null;
}

/** A listed product and the relations asked for. */
export interface ListedProduct {
  product: Product;
  variants?: VariantWithPrices[];
  reviews?: Review[];
}

const VARIANTS_JSON = `coalesce((SELECT json_agg(json_build_object(
      'id', v.id, 'productId', v.product_id, 'sku', v.sku, 'name', v.name, 'position', v.position,
      'prices', coalesce((SELECT json_agg(json_build_object('variantId', pr.variant_id, 'currency', pr.currency, 'amountMinor', pr.amount)
        ORDER BY pr.currency) FROM prices pr WHERE pr.variant_id = v.id), '[]')
    ) ORDER BY v.position, v.id) FROM product_variants v WHERE v.product_id = p.id), '[]') AS "variants"`;

const REVIEWS_JSON = `coalesce((SELECT json_agg(json_build_object(
      'id', r.id, 'productId', r.product_id, 'authorId', r.author_id, 'rating', r.rating, 'title', r.title, 'body', r.body,
      'createdAt', r.created_at
    ) ORDER BY r.id DESC) FROM (
      SELECT r.* FROM reviews r WHERE r.product_id = p.id AND ($4::uuid IS NULL OR r.id < $4::uuid) ORDER BY r.id DESC LIMIT $3
    ) r), '[]') AS "reviews"`;

/** The listing statement for each combination of relations: four constant texts, each prepared once. */
const listingStatements = new Map<string, string>();

function listingStatement(variants: boolean, reviews: boolean): string {
  const key = `${variants} ${reviews}`;
  let text = listingStatements.get(key);
  if (!text) {
    const columns = [PRODUCT_COLUMNS, ...(variants ? [VARIANTS_JSON] : []), ...(reviews ? [REVIEWS_JSON] : [])];
    text = `SELECT ${columns.join(',\n  ')} FROM products p
  WHERE p.status = 'ACTIVE' AND ($2::uuid IS NULL OR p.id < $2::uuid)
  ORDER BY p.id DESC LIMIT $1`;
    listingStatements.set(key, text);
  }
  return text;
}

type ReviewJson = Omit<Review, 'createdAt'> & { createdAt: string | Date };
type ListingRow = Product & { variants?: VariantWithPrices[]; reviews?: ReviewJson[] };

/** JSON carries timestamps as ISO text; the row types hold Dates, as pg's own rows do. The parsed object is ours to change. */
function withDate(review: ReviewJson): Review {
  review.createdAt = new Date(review.createdAt);
  return review as Review;
}

/**
 * Active products, newest first (uuid v7 ids are time-ordered), strictly
 * after `afterId` when given, with the relations asked for: one statement
 * for a whole listing page. The relations arrive as one JSON document per
 * product, which pg hands to JSON.parse, cheaper than a row per variant,
 * price and review, and one round trip instead of three.
 */
export async function activeProducts(
  sql: CatalogSql,
  limit: number,
  afterId: string | null,
  relations: ListingRelations = { variants: false, reviews: null },
): Promise<ListedProduct[]> {
  const { reviews } = relations;
  const values = reviews ? [limit, afterId, reviews.limit, reviews.after] : [limit, afterId];
  const rows = await sql.rows<ListingRow>(listingStatement(relations.variants, reviews !== null), values);
  return rows.map(({ variants, reviews: reviewRows, ...product }) => ({
    product,
    ...(variants ? { variants } : {}),
    ...(reviewRows ? { reviews: reviewRows.map(withDate) } : {}),
  }));
}

const ACTIVE_PRODUCTS_IN_CATEGORY_TREES = `
  WITH RECURSIVE tree(root_id, id) AS (
    SELECT c.id, c.id FROM categories c WHERE c.id = ANY($1::uuid[])
    UNION ALL
    SELECT tree.root_id, c.id FROM categories c JOIN tree ON c.parent_id = tree.id
  )
  SELECT roots.root_id::text AS "key", ${PRODUCT_COLUMNS}
  FROM unnest($1::uuid[]) AS roots(root_id)
  CROSS JOIN LATERAL (
    SELECT p.* FROM products p
    WHERE p.category_id IN (SELECT tree.id FROM tree WHERE tree.root_id = roots.root_id)
      AND p.status = 'ACTIVE'
      AND ($3::uuid IS NULL OR p.id < $3::uuid)
    ORDER BY p.id DESC
    LIMIT $2
  ) p
  ORDER BY roots.root_id, p.id DESC`;

/**
 * Active products in each root category's subtree, newest first (id DESC),
 * at most `limit` per root, strictly after `afterId` when given.
 * A recursive CTE expands every root to its descendants, and a LATERAL
 * subquery takes the top `limit` per root through the (category_id, status, id) index.
 */
export async function activeProductsInCategoryTrees(
  sql: CatalogSql,
  rootIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<Product>[]> {
  if (rootIds.length === 0) return [];
  return sql.rows(ACTIVE_PRODUCTS_IN_CATEGORY_TREES, [rootIds, limit, afterId]);
}

const ACTIVE_PRODUCT_COUNTS_IN_CATEGORY_TREES = `
  WITH RECURSIVE tree(root_id, id) AS (
    SELECT c.id, c.id FROM categories c WHERE c.id = ANY($1::uuid[])
    UNION ALL
    SELECT tree.root_id, c.id FROM categories c JOIN tree ON c.parent_id = tree.id
  )
  SELECT tree.root_id::text AS "key", count(p.id)::int AS "count"
  FROM tree JOIN products p ON p.category_id = tree.id AND p.status = 'ACTIVE'
  GROUP BY tree.root_id`;

/**
 * Number of active products in each root category's subtree, for
 * `ProductConnection.totalCount` of a category listing: the same recursive
 * expansion as `activeProductsInCategoryTrees`, then one COUNT per root.
 * Roots without products (or unknown ids) are absent from the map.
 */
export async function activeProductCountsInCategoryTrees(
  sql: CatalogSql,
  rootIds: readonly string[],
): Promise<Map<string, number>> {
  if (rootIds.length === 0) return new Map();
  return countsByKey(await sql.rows(ACTIVE_PRODUCT_COUNTS_IN_CATEGORY_TREES, [rootIds]));
}

const ACTIVE_PRODUCT_COUNT = `SELECT count(*)::int AS "count" FROM products p WHERE p.status = 'ACTIVE'`;

/** Number of active products in the whole catalog, for the unfiltered `Query.products`. */
export async function activeProductCount(sql: CatalogSql): Promise<number> {
  const rows = await sql.rows<{ count: number }>(ACTIVE_PRODUCT_COUNT, []);
  return rows[0]?.count ?? 0;
}

// ---------------------------------------------------------------------------
// The admin's product list

/** What the admin's product list is narrowed by; null: not narrowed. */
export interface AdminProductQuery {
  /** Statuses as the enum's labels. */
  statuses: readonly string[] | null;
  /** A category whose subtree the products are in. */
  categoryId: string | null;
  /** An ILIKE pattern matched against name, slug, brand and every variant's SKU. */
  pattern: string | null;
}

const ADMIN_PRODUCT_FILTER = `($1::text[] IS NULL OR p.status::text = ANY($1::text[]))
    AND ($2::uuid IS NULL OR p.category_id IN (
      WITH RECURSIVE tree(id) AS (
        SELECT c.id FROM categories c WHERE c.id = $2::uuid
        UNION ALL
        SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
      ) SELECT tree.id FROM tree))
    AND ($3::text IS NULL OR p.name ILIKE $3 OR p.slug ILIKE $3 OR p.brand ILIKE $3
      OR EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.sku ILIKE $3))`;

const ADMIN_PRODUCTS = `SELECT ${PRODUCT_COLUMNS} FROM products p
  WHERE ${ADMIN_PRODUCT_FILTER}
    AND ($4::uuid IS NULL OR p.id < $4::uuid)
  ORDER BY p.id DESC LIMIT $5`;

const ADMIN_PRODUCT_COUNT = `SELECT count(*)::int AS "count" FROM products p WHERE ${ADMIN_PRODUCT_FILTER}`;

const adminValues = (query: AdminProductQuery): unknown[] => [query.statuses, query.categoryId, query.pattern];

/**
 * Products of every status matching the admin's filter, newest first, after
 * `afterId`: one statement (a scan of the products table, which an admin
 * list can afford; the storefront's listings stay on their indexes).
 */
export const adminProducts = (
  sql: CatalogSql,
  query: AdminProductQuery,
  limit: number,
  afterId: string | null,
): Promise<Product[]> => sql.rows(ADMIN_PRODUCTS, [...adminValues(query), afterId, limit]);

export async function adminProductCount(sql: CatalogSql, query: AdminProductQuery): Promise<number> {
  const rows = await sql.rows<{ count: number }>(ADMIN_PRODUCT_COUNT, adminValues(query));
  return rows[0]?.count ?? 0;
}

// ---------------------------------------------------------------------------
// The category tree

const CHILD_CATEGORY_COUNTS = `
  SELECT c.parent_id::text AS "key", count(*)::int AS "count"
  FROM categories c WHERE c.parent_id = ANY($1::uuid[])
  GROUP BY c.parent_id
  UNION ALL
  SELECT '' AS "key", count(*)::int AS "count"
  FROM categories c WHERE $2::boolean AND c.parent_id IS NULL
  HAVING $2::boolean`;

/**
 * Number of direct children of each parent, for `CategoryConnection.totalCount`;
 * a null parent id stands for the top level (key ''). Served by the
 * (parent_id, position) index.
 */
export async function childCategoryCounts(
  sql: CatalogSql,
  parentIds: readonly (string | null)[],
): Promise<Map<string, number>> {
  if (parentIds.length === 0) return new Map();
  const ids = parentIds.filter((id): id is string => id !== null);
  return countsByKey(await sql.rows(CHILD_CATEGORY_COUNTS, [ids, parentIds.includes(null)]));
}

const ANCESTORS_OF_CATEGORIES = `
  WITH RECURSIVE up(start_id, id, depth) AS (
    SELECT c.id, c.parent_id, 1 FROM categories c
    WHERE c.id = ANY($1::uuid[]) AND c.parent_id IS NOT NULL
    UNION ALL
    SELECT up.start_id, c.parent_id, up.depth + 1 FROM categories c
    JOIN up ON c.id = up.id
    WHERE c.parent_id IS NOT NULL AND up.depth < 32
  )
  SELECT up.start_id::text AS "key", up.depth, ${CATEGORY_COLUMNS}
  FROM up JOIN categories c ON c.id = up.id
  ORDER BY up.start_id, up.depth DESC`;

/**
 * Ancestors of each category, keyed by the category they belong to, with
 * `depth` 1 for the parent, 2 for the grandparent, and so on; root first.
 */
export async function ancestorsOfCategories(
  sql: CatalogSql,
  categoryIds: readonly string[],
): Promise<Keyed<Category & { depth: number }>[]> {
  if (categoryIds.length === 0) return [];
  return sql.rows(ANCESTORS_OF_CATEGORIES, [categoryIds]);
}

const CHILD_CATEGORIES = `
  SELECT parents.parent_id::text AS "key", ${CATEGORY_COLUMNS}
  FROM unnest($1::uuid[]) AS parents(parent_id)
  CROSS JOIN LATERAL (
    SELECT c.* FROM categories c
    WHERE c.parent_id = parents.parent_id
      AND ($4::uuid IS NULL OR (c.position, c.id) > ($5::int, $4::uuid))
    ORDER BY c.position, c.id
    LIMIT $3
  ) c
  UNION ALL
  SELECT '' AS "key", ${CATEGORY_COLUMNS}
  FROM (
    SELECT c.* FROM categories c
    WHERE $2::boolean AND c.parent_id IS NULL
      AND ($4::uuid IS NULL OR (c.position, c.id) > ($5::int, $4::uuid))
    ORDER BY c.position, c.id
    LIMIT $3
  ) c
  ORDER BY "key", "position", "id"`;

/**
 * The first `limit` children of each parent in (position, id) order, after
 * the cursor when given. A null parent id stands for the top level, which has
 * no parent row to join from: it is a second branch of the same statement ('' is its key).
 */
export async function childCategories(
  sql: CatalogSql,
  parentIds: readonly (string | null)[],
  limit: number,
  after: PositionCursor | null,
): Promise<Keyed<Category>[]> {
  if (parentIds.length === 0) return [];
  const ids = parentIds.filter((id): id is string => id !== null);
  return sql.rows(CHILD_CATEGORIES, [ids, parentIds.includes(null), limit, after?.id ?? null, after?.position ?? null]);
}

/** Levels the tree walks go down at most (a guard against a cycle; moves refuse to make one). */
export const MAX_CATEGORY_DEPTH = 32;

/**
 * A category's place in tree order, per level from the root: its position as
 * 4 big-endian bytes (sign bit flipped, so bytes sort as the integers do),
 * then its id's 16 bytes. A parent's key is a prefix of its children's, so
 * byte order is depth-first order: each category right after its parent,
 * siblings by (position, id).
 */
export const TREE_KEY_BYTES_PER_LEVEL = 20;
const TREE_KEY_LEVEL = `int4send(c.position # (-2147483648)::int) || uuid_send(c.id)`;

const CATEGORIES_IN_TREE_ORDER = `
  WITH RECURSIVE tree(id, sort_key, depth) AS (
    SELECT c.id, ${TREE_KEY_LEVEL}, 1 FROM categories c WHERE c.parent_id IS NULL
    UNION ALL
    SELECT c.id, tree.sort_key || ${TREE_KEY_LEVEL}, tree.depth + 1
    FROM tree JOIN categories c ON c.parent_id = tree.id
    WHERE tree.depth < ${MAX_CATEGORY_DEPTH}
  )
  SELECT tree.sort_key AS "treeKey", ${CATEGORY_COLUMNS}
  FROM tree JOIN categories c ON c.id = tree.id
  WHERE $2::bytea IS NULL OR tree.sort_key > $2::bytea
  ORDER BY tree.sort_key
  LIMIT $1`;

/** A category with its place in tree order (the keyset of `categories(scope: ALL)`). */
export type TreeOrderedCategory = Category & { treeKey: Buffer };

/**
 * Every category at any depth in tree order, the first `limit` after the
 * key `after`: one statement, which walks the tree from the roots through the
 * (parent_id, position) index. A shop has hundreds of categories, not millions.
 */
export const categoriesInTreeOrder = (sql: CatalogSql, limit: number, after: Buffer | null): Promise<TreeOrderedCategory[]> =>
  sql.rows(CATEGORIES_IN_TREE_ORDER, [limit, after]);

const CATEGORY_COUNT = `SELECT count(*)::int AS "count" FROM categories`;

/** Every category at any depth, for `categories(scope: ALL) { totalCount }`. */
export async function categoryCount(sql: CatalogSql): Promise<number> {
  const rows = await sql.rows<{ count: number }>(CATEGORY_COUNT, []);
  return rows[0]?.count ?? 0;
}

// ---------------------------------------------------------------------------
// Reviews

const LATEST_REVIEWS = `
  SELECT products.product_id::text AS "key", ${REVIEW_COLUMNS}
  FROM unnest($1::uuid[]) AS products(product_id)
  CROSS JOIN LATERAL (
    SELECT r.* FROM reviews r
    WHERE r.product_id = products.product_id
      AND ($3::uuid IS NULL OR r.id < $3::uuid)
    ORDER BY r.id DESC
    LIMIT $2
  ) r
  ORDER BY 1, r.id DESC`;

/**
 * The newest `limit` reviews of each product (id DESC: uuid v7 ids are
 * time-ordered), after `afterId` when given; served by the (product_id, ...) index.
 */
export async function latestReviews(
  sql: CatalogSql,
  productIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<Review>[]> {
  if (productIds.length === 0) return [];
  return sql.rows(LATEST_REVIEWS, [productIds, limit, afterId]);
}

const REVIEW_COUNTS = `SELECT r.product_id::text AS "key", count(*)::int AS "count"
  FROM reviews r WHERE r.product_id = ANY($1::uuid[]) GROUP BY r.product_id`;

/** Number of reviews per product, for `ReviewConnection.totalCount`. */
export async function reviewCounts(sql: CatalogSql, productIds: readonly string[]): Promise<Map<string, number>> {
  if (productIds.length === 0) return new Map();
  return countsByKey(await sql.rows(REVIEW_COUNTS, [productIds]));
}

function countsByKey(rows: readonly { key: string; count: number }[]): Map<string, number> {
  return new Map(rows.map((row) => [row.key, row.count]));
}
