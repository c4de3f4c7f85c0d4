/**
 * SQL that runs inside write transactions, over Prisma (the read path's SQL is
 * in reads.ts): what a product event needs that Prisma's query builder cannot
 * express in one statement.
 */
import type { Category } from '../generated/prisma/client.js';
import type { CatalogDb, CatalogTx } from './prisma.js';

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

/**
 * Serialises changes to the shape of the category tree (create, move,
 * reorder) for the rest of the transaction: sibling positions are read and
 * rewritten as a whole, and a cycle check must not race another move.
 */
export async function lockCategoryTree(tx: CatalogTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('catalog.category_tree'))`;
}

/** Locks one category row; null when there is none. */
export async function lockCategory(tx: CatalogTx, id: string): Promise<Category | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM categories WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0] ? tx.category.findUnique({ where: { id } }) : null;
}

/** Whether `candidateId` is `rootId` or one of its descendants. */
export async function isInSubtree(tx: CatalogTx, rootId: string, candidateId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ found: boolean }[]>`
    WITH RECURSIVE tree(id) AS (
      SELECT c.id FROM categories c WHERE c.id = ${rootId}::uuid
      UNION ALL
      SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
    )
    SELECT EXISTS (SELECT 1 FROM tree WHERE tree.id = ${candidateId}::uuid) AS found`;
  return rows[0]?.found ?? false;
}

/** Ids of the children of `parentId` (null: the top level) in display order. */
export async function siblingIds(tx: CatalogTx, parentId: string | null): Promise<string[]> {
  const rows = parentId
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM categories WHERE parent_id = ${parentId}::uuid ORDER BY position, id`
    : await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM categories WHERE parent_id IS NULL ORDER BY position, id`;
  return rows.map((row) => row.id);
}

/** Sets position 0, 1, 2… in the given order (one statement); rows already there are left as they are. */
export async function renumberCategories(tx: CatalogTx, orderedIds: readonly string[]): Promise<void> {
  if (orderedIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE categories c SET position = (u.n - 1)::int
    FROM unnest(${orderedIds}::uuid[]) WITH ORDINALITY AS u(id, n)
    WHERE c.id = u.id AND c.position <> (u.n - 1)::int`;
}

/** Locks every product of the category's subtree (any status), in id order, and returns their ids. */
export async function lockProductsInSubtree(tx: CatalogTx, rootId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE tree(id) AS (
      SELECT c.id FROM categories c WHERE c.id = ${rootId}::uuid
      UNION ALL
      SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
    )
    SELECT p.id::text AS id FROM products p WHERE p.category_id IN (SELECT tree.id FROM tree)
    ORDER BY p.id FOR UPDATE OF p`;
  return rows.map((row) => row.id);
}

/** Moves the products' updatedAt on (their snapshots change), not their version (nothing of theirs was edited). */
export async function touchProducts(tx: CatalogTx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`UPDATE products SET updated_at = clock_timestamp() WHERE id = ANY(${ids}::uuid[])`;
}
