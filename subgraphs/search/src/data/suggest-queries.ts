/**
 * Autocomplete candidates: product names and category names that contain the
 * prefix (ILIKE) or are similar to it word by word (`<%`, typo-tolerant), both
 * served by the GIN trigram indexes. Scored in SQL:
 *
 *   word_similarity(prefix, name)        0..1, how well the prefix matches the best word span
 *   + 1    when the name starts with the prefix
 *   + 0.5  when a later word starts with it
 *
 * Bounded work (EXPLAIN on 100,000 products): a short prefix can be contained
 * in thousands of names ("lea": every Leather product), and scoring each
 * costs a trigram computation plus a heap fetch of a wide row. So at most
 * MAX_CANDIDATES product names are scored — the first the index yields —
 * and, with more matches than that, suggestions come from a sample (the next
 * letter typed narrows it). The similarity scan (typos) runs only when fewer
 * names than asked for contain the prefix as typed: it is the expensive one
 * for short prefixes (3 letters share trigrams with thousands of names).
 * Product names are de-duplicated case-insensitively; categories only count
 * when some ACTIVE product is in their subtree.
 */
import { Prisma, type SearchPrisma } from './prisma.js';

export type SuggestionKind = 'PRODUCT' | 'CATEGORY';

/** Product rows scored per request, whatever the catalog size. */
export const MAX_CANDIDATES = 200;

export interface SuggestionRow {
  kind: SuggestionKind;
  id: string;
  text: string;
  slug: string;
  score: number;
}

/** Escapes LIKE wildcards (the default escape character is backslash). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `maxCandidates` bounds the rows scored (default MAX_CANDIDATES); the
 * replica's tests pass a large one to get every match scored, as the replica
 * scores them.
 */
export async function suggestRows(prisma: SearchPrisma, prefix: string, limit: number, maxCandidates = MAX_CANDIDATES): Promise<SuggestionRow[]> {
  const like = escapeLike(prefix);
  const startsWith = `${like}%`;
  const wordStart = `% ${like}%`;
  const contains = `%${like}%`;
  const score = (column: Prisma.Sql): Prisma.Sql => Prisma.sql`
    word_similarity(${prefix}, ${column})
      + CASE WHEN ${column} ILIKE ${startsWith} THEN 1.0 WHEN ${column} ILIKE ${wordStart} THEN 0.5 ELSE 0 END`;
  const query = Prisma.sql`
    WITH contained AS MATERIALIZED (
      SELECT p.id, p.name, p.slug FROM search_products p
       WHERE p.status = 'ACTIVE' AND p.name ILIKE ${contains}
       LIMIT ${maxCandidates}::int
    ),
    resembling AS MATERIALIZED (
      -- Typo tolerance, only when too few names contain the prefix as typed
      -- (a one-time filter: otherwise this scan never runs).
      SELECT p.id, p.name, p.slug FROM search_products p
       WHERE (SELECT count(*) FROM contained) < ${limit}::int AND p.status = 'ACTIVE' AND ${prefix} <% p.name
       LIMIT ${maxCandidates}::int
    ),
    products AS (
      SELECT DISTINCT ON (lower(name)) id, name, slug, ${score(Prisma.raw('name'))} AS score
        FROM (SELECT * FROM contained UNION ALL SELECT * FROM resembling) candidates
       ORDER BY lower(name), score DESC, id
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
  // With LIMIT, the planner may prefer a sequential scan that evaluates the
  // trigram predicates on every row (70 ms on 100,000 products instead of 5):
  // the candidates must come from the trigram indexes.
  const rows = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
    return tx.$queryRaw<SuggestionRow[]>(query);
  });
  return rows.map((row) => ({ ...row, score: Number(row.score) }));
}
