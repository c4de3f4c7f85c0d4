/**
 * Autocomplete candidates: product names and category names that contain the
 * prefix (ILIKE, served by the GIN trigram indexes) or are similar to it word
 * by word (`<%`, same indexes, typo-tolerant). Scored in SQL:
 *
 *   word_similarity(prefix, name)        0..1, how well the prefix matches the best word span
 *   + 1    when the name starts with the prefix
 *   + 0.5  when a later word starts with it
 *
 * Product names are de-duplicated case-insensitively (many products may share
 * one); categories only count when some ACTIVE product is in their subtree.
 */
import { Prisma, type SearchDb } from './prisma.js';

export type SuggestionKind = 'PRODUCT' | 'CATEGORY';

export interface SuggestionRow {
  kind: SuggestionKind;
  id: string;
  text: string;
  slug: string;
  score: number;
}

/** Escapes LIKE wildcards (the default escape character is backslash). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function suggestRows(db: SearchDb, prefix: string, limit: number): Promise<SuggestionRow[]> {
  const like = escapeLike(prefix);
  const startsWith = `${like}%`;
  const wordStart = `% ${like}%`;
  const contains = `%${like}%`;
  const score = (column: Prisma.Sql): Prisma.Sql => Prisma.sql`
    word_similarity(${prefix}, ${column})
      + CASE WHEN ${column} ILIKE ${startsWith} THEN 1.0 WHEN ${column} ILIKE ${wordStart} THEN 0.5 ELSE 0 END`;
  const rows = await db.$queryRaw<{ kind: SuggestionKind; id: string; text: string; slug: string; score: number }[]>`
    WITH products AS (
      SELECT DISTINCT ON (lower(p.name)) p.id, p.name, p.slug, ${score(Prisma.raw('p.name'))} AS score
        FROM search_products p
       WHERE p.status = 'ACTIVE' AND (p.name ILIKE ${contains} OR ${prefix} <% p.name)
       ORDER BY lower(p.name), score DESC, p.id
    ),
    categories AS (
      SELECT c.id, c.name, c.slug, ${score(Prisma.raw('c.name'))} AS score
        FROM search_categories c
       WHERE (c.name ILIKE ${contains} OR ${prefix} <% c.name)
         AND EXISTS (SELECT 1 FROM search_products p WHERE p.category_ids @> ARRAY[c.id] AND p.status = 'ACTIVE')
    )
    SELECT kind, id, text, slug, score FROM (
      (SELECT 'PRODUCT' AS kind, id::text, name AS text, slug, score::float8 AS score FROM products
        ORDER BY score DESC, length(name), name LIMIT ${limit}::int)
      UNION ALL
      (SELECT 'CATEGORY' AS kind, id::text, name AS text, slug, score::float8 AS score FROM categories
        ORDER BY score DESC, length(name), name LIMIT ${limit}::int)
    ) s
    ORDER BY score DESC, length(text), text, kind
    LIMIT ${limit}::int`;
  return rows.map((row) => ({ ...row, score: Number(row.score) }));
}
