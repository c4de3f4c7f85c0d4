/**
 * The search statements. Two shapes, chosen by EXPLAIN on 100,000 products
 * (see docs/benchmarks.md and the README):
 *
 * Text query (FULL_TEXT / FUZZY): one round trip.
 *   base  (MATERIALIZED) = ACTIVE documents matching the text — the only
 *         index access (GIN on search_vector, or the trigram GIN on name) —
 *         with one boolean column per filter computed in the same scan;
 *   then four small passes over base, each facet with every filter except
 *   its own: counts + price buckets + stock (FILTER clauses, one pass), the
 *   page (rows passing every filter, sorted, LIMIT/OFFSET), categories
 *   (unnest), option values (unnest).
 *   The matched set is small (hundreds to a few thousand rows), so reading
 *   it once and aggregating it four times in memory beats re-running the
 *   text match per facet.
 *
 * Browse (no text): the matched set is the whole catalog, and materialising
 * it (arrays and all) spills to disk. Instead:
 *   page       = one indexed query with every filter pushed down (fresh);
 *   aggregates = three scans with each facet's filters pushed down (the
 *                category filter uses the GIN index on category_ids): one
 *                for total, price buckets and stock (FILTER clauses), one
 *                unnesting categories, one unnesting option values.
 *   The aggregates cost a scan of the catalog when nothing narrows them, so
 *   the search service caches them briefly (see search.service).
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

/** Total and facet counts (what a browse may cache). */
export interface SearchAggregates {
  /** Documents matching the text and every filter. */
  total: number;
  categories: CategoryCount[];
  /** [option key, count] */
  options: [string, number][];
  /** [bucket index 0..4, count] */
  prices: [number, number][];
  /** [in stock, count] */
  stock: [boolean, number][];
}

export interface TextSearchRows extends SearchAggregates {
  /** Documents matching the text alone, before filters (0 → try the fuzzy fallback). */
  matched: number;
  ids: string[];
}

const TRUE = Prisma.raw('TRUE');
const andAll = (parts: readonly Prisma.Sql[]): Prisma.Sql => (parts.length === 0 ? TRUE : Prisma.join(parts, ' AND '));

/** Each filter as a predicate on `search_products p` (TRUE when not set). */
interface FilterPredicates {
  category: Prisma.Sql;
  price: Prisma.Sql;
  stock: Prisma.Sql;
  /** One per option name: the product has one of the selected values. */
  options: Prisma.Sql[];
}

function filterPredicates(spec: SearchSpec): FilterPredicates {
  const { filters } = spec;
  const price = PRICE_COLUMN[spec.currency];
  const priceParts: Prisma.Sql[] = [];
  if (filters.price) {
    priceParts.push(Prisma.sql`${price} IS NOT NULL`);
    if (filters.price.min !== null) priceParts.push(Prisma.sql`${price} >= ${filters.price.min}::int`);
    if (filters.price.max !== null) priceParts.push(Prisma.sql`${price} <= ${filters.price.max}::int`);
  }
  return {
    category:
      filters.category === null
        ? TRUE
        : filters.category === 'none'
          ? Prisma.raw('FALSE')
          : Prisma.sql`p.category_ids @> ARRAY[${filters.category.id}::uuid]`,
    price: andAll(priceParts),
    stock: filters.inStock === null ? TRUE : Prisma.sql`p.in_stock = ${filters.inStock}`,
    options: filters.options.map(
      (group) => Prisma.sql`p.option_values && ${group.values.map((value) => optionKey(group.name, value))}::text[]`,
    ),
  };
}

/** The option facet's per-value condition: a value's own option filter does not narrow it. */
function optionFacetFilter(filters: SearchFilterSpec, selected: readonly Prisma.Sql[]): Prisma.Sql {
  return andAll(filters.options.map((group, index) => Prisma.sql`(split_part(ov, chr(31), 1) = ${group.name} OR ${selected[index] ?? TRUE})`));
}

/** ORDER BY of a page; `c` names the columns (materialised base or the table). Ends with id: total order. */
function orderBy(spec: SearchSpec, c: { price: Prisma.Sql; prefix: string }): Prisma.Sql {
  const col = (name: string): Prisma.Sql => Prisma.raw(`${c.prefix}${name}`);
  const id = col('id');
  switch (spec.sort) {
    case 'PRICE_ASC':
      return Prisma.sql`${c.price} ASC NULLS LAST, ${id} DESC`;
    case 'PRICE_DESC':
      return Prisma.sql`${c.price} DESC NULLS LAST, ${id} DESC`;
    case 'RATING':
      return Prisma.sql`${col('rating_average')} DESC NULLS LAST, ${col('rating_count')} DESC, ${id} DESC`;
    case 'NEWEST':
      return Prisma.sql`${col('created_at')} DESC, ${id} DESC`;
    case 'RELEVANCE':
      return spec.mode === 'BROWSE' ? Prisma.sql`${col('created_at')} DESC, ${id} DESC` : Prisma.sql`${col('rank')} DESC, ${id} DESC`;
  }
}

const bucketOf = (price: Prisma.Sql): Prisma.Sql => Prisma.sql`width_bucket(${price}, ${[...PRICE_BUCKET_BOUNDS]}::int[])`;

/** Category counts joined to their names, as JSON. */
const categoryJson = (counts: Prisma.Sql): Prisma.Sql => Prisma.sql`
  (SELECT coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug, 'parentId', c.parent_id,
                                              'depth', c.depth, 'count', x.n)), '[]'::json)
     FROM (${counts}) x JOIN search_categories c ON c.id = x.cid)`;

// ---------------------------------------------------------------------------
// Text query: one statement over a materialised match set

export function buildTextSearchSql(spec: SearchSpec): Prisma.Sql {
  if (spec.mode === 'BROWSE') throw new Error('buildTextSearchSql needs a text mode');
  const f = filterPredicates(spec);
  const price = PRICE_COLUMN[spec.currency];

  let from: Prisma.Sql;
  let match: Prisma.Sql;
  let rank: Prisma.Sql;
  if (spec.mode === 'FULL_TEXT') {
    from = Prisma.sql`search_products p CROSS JOIN websearch_to_tsquery(${TS_CONFIG}, ${spec.text}) AS q`;
    match = Prisma.sql`p.search_vector @@ q`;
    rank = spec.sort === 'RELEVANCE' ? Prisma.sql`ts_rank_cd(p.search_vector, q)` : Prisma.raw('0::real');
  } else {
    from = Prisma.raw('search_products p');
    // `<%`: word similarity above pg_trgm.word_similarity_threshold (set per connection), GIN trigram index.
    match = Prisma.sql`${spec.text} <% p.name`;
    rank = Prisma.sql`word_similarity(${spec.text}, p.name)`;
  }

  const optionColumns = f.options.map((_, index) => Prisma.raw(`f_opt_${index}`));
  const optionFlags = f.options.map((predicate, index) => Prisma.sql`, (${predicate}) AS ${optionColumns[index]}`);
  const fOpt = andAll(optionColumns);
  const order = orderBy(spec, { price: Prisma.raw('price'), prefix: '' });

  const all = Prisma.sql`f_cat AND f_price AND f_stock AND ${fOpt}`;
  const bucketCounts = Prisma.join(
    Array.from({ length: PRICE_BUCKET_BOUNDS.length + 1 }, (_, bucket) =>
      Prisma.sql`count(*) FILTER (WHERE f_cat AND f_stock AND ${fOpt} AND price IS NOT NULL AND ${bucketOf(Prisma.raw('price'))} = ${bucket}::int)`,
    ),
    ', ',
  );

  return Prisma.sql`
    WITH base AS MATERIALIZED (
      SELECT p.id, p.category_ids, p.option_values, ${price} AS price, p.in_stock, p.created_at,
             p.rating_average, p.rating_count, ${rank} AS rank,
             (${f.category}) AS f_cat, (${f.price}) AS f_price, (${f.stock}) AS f_stock ${optionFlags.length > 0 ? Prisma.join(optionFlags, ' ') : Prisma.empty}
        FROM ${from}
       WHERE p.status = 'ACTIVE' AND ${match}
    )
    SELECT
      -- One pass: the counts, the price buckets and the stock facet.
      (SELECT json_build_object(
                'matched', count(*),
                'total', count(*) FILTER (WHERE ${all}),
                'prices', json_build_array(${bucketCounts}),
                'inStock', count(*) FILTER (WHERE f_cat AND f_price AND ${fOpt} AND in_stock),
                'outOfStock', count(*) FILTER (WHERE f_cat AND f_price AND ${fOpt} AND NOT in_stock))
         FROM base) AS summary,
      (SELECT coalesce(json_agg(t.id ORDER BY ${order}), '[]'::json)
         FROM (SELECT id, price, created_at, rating_average, rating_count, rank FROM base WHERE ${all}
                ORDER BY ${order} LIMIT ${spec.limit}::int OFFSET ${spec.offset}::int) t) AS ids,
      ${categoryJson(Prisma.sql`SELECT cid, count(*)::int AS n FROM base, unnest(base.category_ids) AS cid
                                 WHERE f_price AND f_stock AND ${fOpt} GROUP BY cid`)} AS categories,
      (SELECT coalesce(json_agg(json_build_array(x.ov, x.n)), '[]'::json)
         FROM (SELECT ov, count(*)::int AS n FROM base, unnest(base.option_values) AS ov
                WHERE f_cat AND f_price AND f_stock AND ${optionFacetFilter(spec.filters, optionColumns)} GROUP BY ov) x) AS options`;
}

/** Parsed JSON whether the driver hands it over as text or already decoded. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export async function runTextSearch(db: SearchDb, spec: SearchSpec): Promise<TextSearchRows> {
  const [row] = await db.$queryRaw<Record<string, unknown>[]>(buildTextSearchSql(spec));
  if (!row) throw new Error('search statement returned no row');
  const summary = json<Summary & { matched: number }>(row.summary);
  return {
    matched: summary.matched,
    ids: json<string[]>(row.ids),
    categories: json<CategoryCount[]>(row.categories),
    options: json<[string, number][]>(row.options),
    ...fromSummary(summary),
  };
}

/** Total, price buckets and stock, counted in one pass. */
interface Summary {
  total: number;
  prices: number[];
  inStock: number;
  outOfStock: number;
}

const fromSummary = (summary: Summary): Pick<SearchAggregates, 'total' | 'prices' | 'stock'> => ({
  total: summary.total,
  prices: summary.prices.map((count, bucket): [number, number] => [bucket, count]),
  stock: [
    [true, summary.inStock],
    [false, summary.outOfStock],
  ],
});

// ---------------------------------------------------------------------------
// Browse: a fresh page, and aggregates computed by pushed-down scans

/** Up to `limit` ids of the page (the caller asks for one more to learn hasNextPage). */
export function buildBrowsePageSql(spec: SearchSpec): Prisma.Sql {
  const f = filterPredicates(spec);
  return Prisma.sql`
    SELECT p.id::text AS id FROM search_products p
     WHERE p.status = 'ACTIVE' AND ${andAll([f.category, f.price, f.stock, ...f.options])}
     ORDER BY ${orderBy(spec, { price: PRICE_COLUMN[spec.currency], prefix: 'p.' })}
     LIMIT ${spec.limit}::int OFFSET ${spec.offset}::int`;
}

export function buildBrowseAggregatesSql(spec: SearchSpec): Prisma.Sql {
  const f = filterPredicates(spec);
  const price = PRICE_COLUMN[spec.currency];
  const fOpt = andAll(f.options);
  const buckets = PRICE_BUCKET_BOUNDS.length + 1;
  const bucketCounts = Prisma.join(
    Array.from({ length: buckets }, (_, bucket) => Prisma.sql`count(*) FILTER (WHERE ${f.stock} AND ${price} IS NOT NULL AND ${bucketOf(price)} = ${bucket}::int)`),
    ', ',
  );
  return Prisma.sql`
    SELECT
      (SELECT json_build_object(
                'total', count(*) FILTER (WHERE ${f.price} AND ${f.stock}),
                'prices', json_build_array(${bucketCounts}),
                'inStock', count(*) FILTER (WHERE ${f.price} AND p.in_stock),
                'outOfStock', count(*) FILTER (WHERE ${f.price} AND NOT p.in_stock))
         FROM search_products p WHERE p.status = 'ACTIVE' AND ${f.category} AND ${fOpt}) AS summary,
      ${categoryJson(Prisma.sql`SELECT cid, count(*)::int AS n FROM search_products p, unnest(p.category_ids) AS cid
                                 WHERE p.status = 'ACTIVE' AND ${f.price} AND ${f.stock} AND ${fOpt} GROUP BY cid`)} AS categories,
      (SELECT coalesce(json_agg(json_build_array(x.ov, x.n)), '[]'::json)
         FROM (SELECT ov, count(*)::int AS n FROM search_products p, unnest(p.option_values) AS ov
                WHERE p.status = 'ACTIVE' AND ${f.category} AND ${f.price} AND ${f.stock}
                  AND ${optionFacetFilter(spec.filters, f.options)} GROUP BY ov) x) AS options`;
}

export async function runBrowsePage(db: SearchDb, spec: SearchSpec): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>(buildBrowsePageSql(spec));
  return rows.map((row) => row.id);
}

export async function runBrowseAggregates(db: SearchDb, spec: SearchSpec): Promise<SearchAggregates> {
  const [row] = await db.$queryRaw<Record<string, unknown>[]>(buildBrowseAggregatesSql(spec));
  if (!row) throw new Error('browse statement returned no row');
  return {
    categories: json<CategoryCount[]>(row.categories),
    options: json<[string, number][]>(row.options),
    ...fromSummary(json<Summary>(row.summary)),
  };
}
