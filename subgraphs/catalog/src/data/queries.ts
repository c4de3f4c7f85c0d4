/**
 * Hand-written SQL for the reads Prisma's query builder cannot express in one
 * statement: walking the category tree (recursive CTEs) and "the first N rows
 * per parent" for a whole batch of parents (LATERAL joins). Each function here
 * is one SQL statement, whatever the number of parents, which is what keeps a
 * listing page at a constant query count.
 *
 * Columns are aliased to the Prisma model field names, so rows have the same
 * shape as what `prisma.product.findMany()` returns.
 */
import type { Category, Product, Review } from '../generated/prisma/client.js';
import { Prisma, type CatalogDb } from './prisma.js';

const PRODUCT_COLUMNS = Prisma.raw(`
  p.id::text AS "id", p.slug, p.name, p.description, p.brand, p.status::text AS "status",
  p.category_id::text AS "categoryId", p.rating_count AS "ratingCount", p.rating_sum AS "ratingSum",
  p.created_at AS "createdAt", p.updated_at AS "updatedAt"`);

const CATEGORY_COLUMNS = Prisma.raw(`
  c.id::text AS "id", c.slug, c.name, c.description, c.parent_id::text AS "parentId",
  c.position, c.created_at AS "createdAt"`);

const REVIEW_COLUMNS = Prisma.raw(`
  r.id::text AS "id", r.product_id::text AS "productId", r.author_id::text AS "authorId",
  r.rating, r.title, r.body, r.created_at AS "createdAt"`);

/** The key a batched row belongs to (a root category, a parent, a product). */
export type Keyed<T> = T & { key: string };

/** Keyset position in a (position, id) ordering, used for category lists. */
export interface PositionCursor {
  position: number;
  id: string;
}

/**
 * Active products in each root category's subtree, newest first (id DESC),
 * at most `limit` per root, strictly after `afterId` when given.
 * One statement: a recursive CTE expands every root to its descendants, and a
 * LATERAL subquery takes the top `limit` per root through the
 * (category_id, status, id) index.
 */
export async function activeProductsInCategoryTrees(
  db: CatalogDb,
  rootIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<Product>[]> {
  if (rootIds.length === 0) return [];
  return db.$queryRaw<Keyed<Product>[]>`
    WITH RECURSIVE tree(root_id, id) AS (
      SELECT c.id, c.id FROM categories c WHERE c.id = ANY(${rootIds}::uuid[])
      UNION ALL
      SELECT tree.root_id, c.id FROM categories c JOIN tree ON c.parent_id = tree.id
    )
    SELECT roots.root_id::text AS "key", ${PRODUCT_COLUMNS}
    FROM unnest(${rootIds}::uuid[]) AS roots(root_id)
    CROSS JOIN LATERAL (
      SELECT p.* FROM products p
      WHERE p.category_id IN (SELECT tree.id FROM tree WHERE tree.root_id = roots.root_id)
        AND p.status = 'ACTIVE'
        AND (${afterId}::uuid IS NULL OR p.id < ${afterId}::uuid)
      ORDER BY p.id DESC
      LIMIT ${limit}
    ) p
    ORDER BY roots.root_id, p.id DESC`;
}

/**
 * Number of active products in each root category's subtree, for
 * `ProductConnection.totalCount` of a category listing. One statement for the
 * whole batch: the same recursive expansion as `activeProductsInCategoryTrees`,
 * then one COUNT per root. Roots without products (or unknown ids) are absent
 * from the map.
 */
export async function activeProductCountsInCategoryTrees(
  db: CatalogDb,
  rootIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (rootIds.length === 0) return counts;
  const rows = await db.$queryRaw<{ key: string; count: number }[]>`
    WITH RECURSIVE tree(root_id, id) AS (
      SELECT c.id, c.id FROM categories c WHERE c.id = ANY(${rootIds}::uuid[])
      UNION ALL
      SELECT tree.root_id, c.id FROM categories c JOIN tree ON c.parent_id = tree.id
    )
    SELECT tree.root_id::text AS "key", count(p.id)::int AS "count"
    FROM tree JOIN products p ON p.category_id = tree.id AND p.status = 'ACTIVE'
    GROUP BY tree.root_id`;
  for (const row of rows) counts.set(row.key, row.count);
  return counts;
}

/** Number of active products in the whole catalog, for the unfiltered `Query.products`. */
export async function activeProductCount(db: CatalogDb): Promise<number> {
  const rows = await db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS "count" FROM products p WHERE p.status = 'ACTIVE'`;
  return rows[0]?.count ?? 0;
}

/**
 * Number of direct children of each parent, for `CategoryConnection.totalCount`;
 * a null parent id stands for the top level (key ''). One statement for the
 * whole batch, served by the (parent_id, position) index.
 */
export async function childCategoryCounts(
  db: CatalogDb,
  parentIds: readonly (string | null)[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (parentIds.length === 0) return counts;
  const ids = parentIds.filter((id): id is string => id !== null);
  const withRoots = parentIds.includes(null);
  const rows = await db.$queryRaw<{ key: string; count: number }[]>`
    SELECT c.parent_id::text AS "key", count(*)::int AS "count"
    FROM categories c WHERE c.parent_id = ANY(${ids}::uuid[])
    GROUP BY c.parent_id
    UNION ALL
    SELECT '' AS "key", count(*)::int AS "count"
    FROM categories c WHERE ${withRoots} AND c.parent_id IS NULL
    HAVING ${withRoots}`;
  for (const row of rows) counts.set(row.key, row.count);
  return counts;
}

/**
 * Ancestors of each category, keyed by the category they belong to, with
 * `depth` 1 for the parent, 2 for the grandparent, and so on.
 */
export async function ancestorsOfCategories(
  db: CatalogDb,
  categoryIds: readonly string[],
): Promise<Keyed<Category & { depth: number }>[]> {
  if (categoryIds.length === 0) return [];
  return db.$queryRaw<Keyed<Category & { depth: number }>[]>`
    WITH RECURSIVE up(start_id, id, depth) AS (
      SELECT c.id, c.parent_id, 1 FROM categories c
      WHERE c.id = ANY(${categoryIds}::uuid[]) AND c.parent_id IS NOT NULL
      UNION ALL
      SELECT up.start_id, c.parent_id, up.depth + 1 FROM categories c
      JOIN up ON c.id = up.id
      WHERE c.parent_id IS NOT NULL AND up.depth < 32
    )
    SELECT up.start_id::text AS "key", up.depth, ${CATEGORY_COLUMNS}
    FROM up JOIN categories c ON c.id = up.id
    ORDER BY up.start_id, up.depth DESC`;
}

/**
 * The first `limit` children of each parent in (position, id) order, after
 * the cursor when given. A null parent id stands for the top level.
 */
export async function childCategories(
  db: CatalogDb,
  parentIds: readonly (string | null)[],
  limit: number,
  after: PositionCursor | null,
): Promise<Keyed<Category>[]> {
  if (parentIds.length === 0) return [];
  const ids = parentIds.filter((id): id is string => id !== null);
  const withRoots = parentIds.includes(null);
  const afterPosition = after?.position ?? null;
  const afterId = after?.id ?? null;
  // The top level has no parent row to join from, so it is a separate branch
  // of the same statement ('' is its key).
  return db.$queryRaw<Keyed<Category>[]>`
    SELECT parents.parent_id::text AS "key", ${CATEGORY_COLUMNS}
    FROM unnest(${ids}::uuid[]) AS parents(parent_id)
    CROSS JOIN LATERAL (
      SELECT c.* FROM categories c
      WHERE c.parent_id = parents.parent_id
        AND (${afterId}::uuid IS NULL OR (c.position, c.id) > (${afterPosition}::int, ${afterId}::uuid))
      ORDER BY c.position, c.id
      LIMIT ${limit}
    ) c
    UNION ALL
    SELECT '' AS "key", ${CATEGORY_COLUMNS}
    FROM (
      SELECT c.* FROM categories c
      WHERE ${withRoots} AND c.parent_id IS NULL
        AND (${afterId}::uuid IS NULL OR (c.position, c.id) > (${afterPosition}::int, ${afterId}::uuid))
      ORDER BY c.position, c.id
      LIMIT ${limit}
    ) c
    ORDER BY "key", "position", "id"`;
}

/**
 * The newest `limit` reviews of each product (id DESC: uuid v7 ids are
 * time-ordered), after `afterId` when given. One LATERAL statement for the
 * whole batch, served by the (product_id, ...) index.
 */
export async function latestReviews(
  db: CatalogDb,
  productIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<Review>[]> {
  if (productIds.length === 0) return [];
  return db.$queryRaw<Keyed<Review>[]>`
    SELECT products.product_id::text AS "key", ${REVIEW_COLUMNS}
    FROM unnest(${productIds}::uuid[]) AS products(product_id)
    CROSS JOIN LATERAL (
      SELECT r.* FROM reviews r
      WHERE r.product_id = products.product_id
        AND (${afterId}::uuid IS NULL OR r.id < ${afterId}::uuid)
      ORDER BY r.id DESC
      LIMIT ${limit}
    ) r
    ORDER BY 1, r.id DESC`;
}

/** Number of reviews per product, for `ReviewConnection.totalCount`. */
export async function reviewCounts(db: CatalogDb, productIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (productIds.length === 0) return counts;
  const rows = await db.$queryRaw<{ productId: string; count: number }[]>`
    SELECT r.product_id::text AS "productId", count(*)::int AS "count"
    FROM reviews r WHERE r.product_id = ANY(${productIds}::uuid[])
    GROUP BY r.product_id`;
  for (const row of rows) counts.set(row.productId, row.count);
  return counts;
}

/**
 * The category path of each category, root first and the category itself
 * last, as product events carry it.
 */
export async function categoryPaths(
  db: CatalogDb,
  categoryIds: readonly string[],
): Promise<Map<string, Pick<Category, 'id' | 'slug' | 'name'>[]>> {
  const paths = new Map<string, Pick<Category, 'id' | 'slug' | 'name'>[]>();
  if (categoryIds.length === 0) return paths;
  const rows = await db.$queryRaw<{ key: string; id: string; slug: string; name: string }[]>`
    WITH RECURSIVE up(start_id, id, depth) AS (
      SELECT c.id, c.id, 0 FROM categories c WHERE c.id = ANY(${categoryIds}::uuid[])
      UNION ALL
      SELECT up.start_id, c.parent_id, up.depth + 1 FROM categories c
      JOIN up ON c.id = up.id
      WHERE c.parent_id IS NOT NULL AND up.depth < 32
    )
    SELECT up.start_id::text AS "key", c.id::text AS "id", c.slug, c.name
    FROM up JOIN categories c ON c.id = up.id
    ORDER BY up.start_id, up.depth DESC`;
  for (const row of rows) {
    const path = paths.get(row.key) ?? [];
    path.push({ id: row.id, slug: row.slug, name: row.name });
    paths.set(row.key, path);
  }
  return paths;
}
