/**
 * The search statement: one round trip returns the page of ids, the total
 * and every facet. Shape (EXPLAIN-driven; see docs/benchmarks.md):
 *
 *   base  (MATERIALIZED) = ACTIVE documents matching the text — served by the
 *         GIN index on search_vector (full text) or on name (trigram) —
 *         with one boolean column per filter computed in the same scan;
 *   page  = base rows passing every filter, sorted, LIMIT/OFFSET;
 *   total = count of those rows;
 *   each facet = one aggregate over base with every filter except its own.
 *
 * So the text match (the only part that needs an index) runs once, facets
 * only ever look at the matched set, and "the other filters" are cheap
 * boolean columns rather than repeated predicates.
 */
import { Prisma, type SearchDb } from './prisma.js';
import { optionKey, type CurrencyCode } from '../service/documents.js';

export type MatchMode = 'BROWSE' | 'FULL_TEXT' | 'FUZZY';
export type SearchSort = 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'NEWEST' | 'RATING';

/** Lower bounds (minor units) of the price buckets after the first: <25, 25–50, 50–100, 100–200, ≥200. */
export const PRICE_BUCKET_BOUNDS = [2500, 5000, 10000, 20000] as const;

/** Text search configuration of the stored vectors (see the migration); queries must use the same. */
const TS_CONFIG = Prisma.raw(`'english'::regconfig`);

/** Min-price column per currency: a fixed whitelist, never user text. */
const PRICE_COLUMN: Record<CurrencyCode, Prisma.Sql> = {
  USD: Prisma.raw('p.price_min_usd'),
  EUR: Prisma.raw('p.price_min_eur'),
};

export interface OptionGroup {
  name: string;
  /** Values of this option; a product matches when it has any of them. */
  values: string[];
}

export interface SearchFilterSpec {
  /** A category (with its descendants); 'none' for an id that cannot exist (matches nothing). */
  category: { id: string } | 'none' | null;
  /** Different names are ANDed, values within a name ORed. */
  options: OptionGroup[];
  /** Inclusive bounds on the product's lowest variant price in the currency. */
  price: { min: number | null; max: number | null } | null;
  inStock: boolean | null;
}

export interface SearchSpec {
  mode: MatchMode;
  /** Normalised query text (ignored when browsing). */
  text: string;
  filters: SearchFilterSpec;
  currency: CurrencyCode;
  sort: SearchSort;
  limit: number;
  offset: number;
}

export interface CategoryCount {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
  depth: number;
  count: number;
}

export interface SearchRows {
  /** Documents matching the text alone (all of them when browsing). */
  matched: number;
  /** Documents matching the text and every filter. */
  total: number;
  ids: string[];
  categories: CategoryCount[];
  /** [option key, count] */
  options: [string, number][];
  /** [bucket index 0..4, count] */
  prices: [number, number][];
  /** [in stock, count] */
  stock: [boolean, number][];
}

const TRUE = Prisma.raw('TRUE');

function andAll(parts: Prisma.Sql[]): Prisma.Sql {
  return parts.length === 0 ? TRUE : Prisma.join(parts, ' AND ');
}

/** ORDER BY of the page, over base's columns; id last makes it total. */
function orderBy(sort: SearchSort, mode: MatchMode): Prisma.Sql {
  switch (sort) {
    case 'PRICE_ASC':
      return Prisma.raw('price ASC NULLS LAST, id DESC');
    case 'PRICE_DESC':
      return Prisma.raw('price DESC NULLS LAST, id DESC');
    case 'RATING':
      return Prisma.raw('rating_average DESC NULLS LAST, rating_count DESC, id DESC');
    case 'NEWEST':
      return Prisma.raw('created_at DESC, id DESC');
    case 'RELEVANCE':
      return mode === 'BROWSE' ? Prisma.raw('created_at DESC, id DESC') : Prisma.raw('rank DESC, id DESC');
  }
}

export function buildSearchSql(spec: SearchSpec): Prisma.Sql {
  const { filters } = spec;
  const price = PRICE_COLUMN[spec.currency];

  // The text match: the only predicate that needs an index.
  let from: Prisma.Sql;
  let match: Prisma.Sql;
  let rank: Prisma.Sql;
  if (spec.mode === 'FULL_TEXT') {
    from = Prisma.sql`search_products p CROSS JOIN websearch_to_tsquery(${TS_CONFIG}, ${spec.text}) AS q`;
    match = Prisma.sql`p.search_vector @@ q`;
    rank = spec.sort === 'RELEVANCE' ? Prisma.sql`ts_rank_cd(p.search_vector, q)` : Prisma.raw('0::real');
  } else if (spec.mode === 'FUZZY') {
    from = Prisma.raw('search_products p');
    // `<%`: word similarity above pg_trgm.word_similarity_threshold (set per connection), GIN trigram index.
    match = Prisma.sql`${spec.text} <% p.name`;
    rank = Prisma.sql`word_similarity(${spec.text}, p.name)`;
  } else {
    from = Prisma.raw('search_products p');
    match = TRUE;
    rank = Prisma.raw('0::real');
  }

  // One boolean per filter, computed during the base scan.
  const category =
    filters.category === null ? TRUE : filters.category === 'none' ? Prisma.raw('FALSE') : Prisma.sql`p.category_ids @> ARRAY[${filters.category.id}::uuid]`;
  const priceParts: Prisma.Sql[] = [];
  if (filters.price) {
    priceParts.push(Prisma.sql`${price} IS NOT NULL`);
    if (filters.price.min !== null) priceParts.push(Prisma.sql`${price} >= ${filters.price.min}::int`);
    if (filters.price.max !== null) priceParts.push(Prisma.sql`${price} <= ${filters.price.max}::int`);
  }
  const stock = filters.inStock === null ? TRUE : Prisma.sql`p.in_stock = ${filters.inStock}`;
  const optionFlags = filters.options.map(
    (group, index) =>
      Prisma.sql`(p.option_values && ${group.values.map((value) => optionKey(group.name, value))}::text[]) AS ${Prisma.raw(`f_opt_${index}`)}`,
  );
  const optionColumns = filters.options.map((_, index) => Prisma.raw(`f_opt_${index}`));
  const fOpt = andAll(optionColumns);
  // Option facet: an option's own filter does not narrow its own values.
  const optionFacetFilter = andAll(
    filters.options.map((group, index) => Prisma.sql`(split_part(ov, chr(31), 1) = ${group.name} OR ${optionColumns[index]})`),
  );
  const order = orderBy(spec.sort, spec.mode);

  return Prisma.sql`
    WITH base AS MATERIALIZED (
      SELECT p.id, p.category_ids, p.option_values, ${price} AS price, p.in_stock, p.created_at,
             p.rating_average, p.rating_count, ${rank} AS rank,
             ${category} AS f_cat, ${andAll(priceParts)} AS f_price, ${stock} AS f_stock
             ${optionFlags.length > 0 ? Prisma.sql`, ${Prisma.join(optionFlags, ', ')}` : Prisma.empty}
        FROM ${from}
       WHERE p.status = 'ACTIVE' AND ${match}
    ),
    hits AS (
      SELECT id, price, created_at, rating_average, rating_count, rank FROM base
       WHERE f_cat AND f_price AND f_stock AND ${fOpt}
    )
    SELECT
      (SELECT count(*)::int FROM base) AS matched,
      (SELECT count(*)::int FROM hits) AS total,
      (SELECT coalesce(json_agg(t.id ORDER BY ${order}), '[]'::json)
         FROM (SELECT id, price, created_at, rating_average, rating_count, rank FROM hits
                ORDER BY ${order} LIMIT ${spec.limit}::int OFFSET ${spec.offset}::int) t) AS ids,
      (SELECT coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug, 'parentId', c.parent_id,
                                                  'depth', c.depth, 'count', x.n)), '[]'::json)
         FROM (SELECT cid, count(*)::int AS n FROM base, unnest(base.category_ids) AS cid
                WHERE f_price AND f_stock AND ${fOpt} GROUP BY cid) x
         JOIN search_categories c ON c.id = x.cid) AS categories,
      (SELECT coalesce(json_agg(json_build_array(x.ov, x.n)), '[]'::json)
         FROM (SELECT ov, count(*)::int AS n FROM base, unnest(base.option_values) AS ov
                WHERE f_cat AND f_price AND f_stock AND ${optionFacetFilter} GROUP BY ov) x) AS options,
      (SELECT coalesce(json_agg(json_build_array(x.b, x.n)), '[]'::json)
         FROM (SELECT width_bucket(price, ${[...PRICE_BUCKET_BOUNDS]}::int[]) AS b, count(*)::int AS n FROM base
                WHERE price IS NOT NULL AND f_cat AND f_stock AND ${fOpt} GROUP BY 1) x) AS prices,
      (SELECT coalesce(json_agg(json_build_array(x.s, x.n)), '[]'::json)
         FROM (SELECT in_stock AS s, count(*)::int AS n FROM base
                WHERE f_cat AND f_price AND ${fOpt} GROUP BY 1) x) AS stock`;
}

/** Parsed JSON whether the driver hands it over as text or already decoded. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export async function runSearch(db: SearchDb, spec: SearchSpec): Promise<SearchRows> {
  const [row] = await db.$queryRaw<Record<string, unknown>[]>(buildSearchSql(spec));
  if (!row) throw new Error('search statement returned no row');
  return {
    matched: Number(row.matched),
    total: Number(row.total),
    ids: json<string[]>(row.ids),
    categories: json<CategoryCount[]>(row.categories),
    options: json<[string, number][]>(row.options),
    prices: json<[number, number][]>(row.prices),
    stock: json<[boolean, number][]>(row.stock),
  };
}
