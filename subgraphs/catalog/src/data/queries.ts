/**
 * SQL that runs inside write transactions, over Prisma (the read path's SQL is
 * in reads.ts): what a product event needs that Prisma's query builder cannot
 * express in one statement.
 */
import type { Category } from '../generated/prisma/client.js';
import type { CatalogDb } from './prisma.js';

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
