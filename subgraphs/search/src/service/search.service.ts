/**
 * Product search over the read model: full-text with a typo-tolerant
 * fallback, filters, facets, sorts and pagination. Use this service for the
 * `search` query; it never writes.
 *
 * Matching:
 * - no query (null, empty, whitespace): BROWSE, every ACTIVE product;
 * - a query: FULL_TEXT, `websearch_to_tsquery('english', query)` against the
 *   weighted vector (name > brand/categories > description > options),
 *   ranked by ts_rank_cd;
 * - if the full-text query matches no product at all (before filters): FUZZY,
 *   word similarity of the query to product names (pg_trgm), ranked by it —
 *   "jaket" finds "Jacket";
 * - a query with no letters or digits ("!!!", "--"): NONE, an empty result.
 *
 * Pagination is by offset behind opaque cursors: each search counts and
 * facets the whole matched set anyway, so a keyset would save nothing, and
 * relevance has no stable key. A document indexed between two pages can shift
 * the second page by one. Results are capped at MAX_RESULT_WINDOW.
 *
 * Where answers come from: the subgraph's in-process replica of the read
 * model (src/replica/, as fresh as PostgreSQL) when it has one; PostgreSQL
 * otherwise, and for what the replica does not evaluate (the fuzzy fallback,
 * tsquery operators websearch_to_tsquery never writes). Both give the same
 * answers (tests compare them).
 *
 * Without a replica, browsing (no text) counts over the whole catalog or a
 * whole category tree: its total and facets come from a per-process cache of
 * at most BrowseCache.ttlMs (1 s by default); its page is always fresh.
 */
import { AppError, ErrorCode, badInput } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, MAX_PAGE_SIZE, type PageInfo } from '@commerce/subgraph-kit';
import type { SearchContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import {
  runBrowseAggregates,
  runBrowsePage,
  runTextSearch,
  type MatchMode,
  type OptionGroup,
  type SearchAggregates,
  type SearchFilterSpec,
  type SearchSort,
  type SearchSpec,
  type TextSearchRows,
} from '../data/search-queries.js';
import { replicaBrowseAggregates, replicaBrowsePage, replicaTextSearch } from '../replica/search.js';
import { isCurrency, type CurrencyCode } from './documents.js';
import { emptyFacets, toFacets, type SearchFacets } from './facets.js';
import { hasSearchableTerms, MAX_QUERY_LENGTH, normalizeText } from './query-text.js';

export type { SearchSort };

/** How far into a result list pagination reaches (like a search engine's result window). */
export const MAX_RESULT_WINDOW = 10_000;
export const MAX_OPTION_FILTERS = 20;
const MAX_OPTION_TEXT = 100;

export interface SearchFiltersInput {
  categoryId?: string | null;
  options?: { name: string; value: string }[] | null;
  price?: { min?: number | null; max?: number | null } | null;
  inStock?: boolean | null;
}

export interface SearchArgs {
  query?: string | null;
  filters?: SearchFiltersInput | null;
  sort?: SearchSort | null;
  first?: number | null;
  after?: string | null;
  currency?: string | null;
}

export interface ProductRef {
  __typename: 'Product';
  id: string;
}

export interface SearchResult {
  edges: { cursor: string; node: ProductRef }[];
  pageInfo: PageInfo;
  totalCount: number;
  facets: SearchFacets;
  matchMode: MatchMode | 'NONE';
}

const SORTS: readonly SearchSort[] = ['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST', 'RATING'];

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this search.');

/** A cursor is the number of results before the next page: ["o", offset]. */
export const encodeOffsetCursor = (offset: number): string => encodeCursor(['o', offset]);

export function decodeOffsetCursor(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const [tag, offset, ...rest] = decodeCursor(after);
  if (tag !== 'o' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > MAX_RESULT_WINDOW || rest.length > 0) {
    throw invalidCursor();
  }
  return offset;
}

/** Validates and normalises the filters; BAD_USER_INPUT names the offending field. */
export function toFilterSpec(input: SearchFiltersInput | null | undefined): SearchFilterSpec {
  const categoryId = input?.categoryId ?? null;
  // An id that is not a uuid cannot exist: it matches nothing (as catalog's products(filter) does).
  const category = categoryId === null ? null : isUuid(categoryId) ? { id: categoryId.toLowerCase() } : ('none' as const);

  const options = input?.options ?? [];
  if (options.length > MAX_OPTION_FILTERS) throw badInput(`At most ${MAX_OPTION_FILTERS} option filters.`, 'filters.options');
  const groups = new Map<string, Set<string>>();
  options.forEach((option, index) => {
    const name = option.name.trim();
    const value = option.value.trim();
    if (!name || !value || name.length > MAX_OPTION_TEXT || value.length > MAX_OPTION_TEXT) {
      throw badInput(`An option filter is a name and a value of 1 to ${MAX_OPTION_TEXT} characters.`, `filters.options[${index}]`);
    }
    const values = groups.get(name) ?? new Set<string>();
    values.add(value);
    groups.set(name, values);
  });
  const optionGroups: OptionGroup[] = [...groups.entries()].map(([name, values]) => ({ name, values: [...values] }));

  let price: SearchFilterSpec['price'] = null;
  if (input?.price) {
    const min = input.price.min ?? null;
    const max = input.price.max ?? null;
    if (min !== null && min < 0) throw badInput('price.min must not be negative.', 'filters.price.min');
    if (max !== null && max < 0) throw badInput('price.max must not be negative.', 'filters.price.max');
    if (min !== null && max !== null && min > max) throw badInput('price.min must not exceed price.max.', 'filters.price');
    if (min !== null || max !== null) price = { min, max };
  }

  return { category, options: optionGroups, price, inStock: input?.inStock ?? null };
}

function requireCurrency(value: string | null | undefined): CurrencyCode {
  const currency = value ?? 'USD';
  if (!isCurrency(currency)) throw new AppError(ErrorCode.UNSUPPORTED_CURRENCY, `Currency ${currency} is not supported.`);
  return currency;
}

function requireSort(value: SearchSort | null | undefined): SearchSort {
  const sort = value ?? 'RELEVANCE';
  if (!SORTS.includes(sort)) throw badInput(`Unknown sort ${String(sort)}.`, 'sort');
  return sort;
}

export async function search(ctx: SearchContext, args: SearchArgs): Promise<SearchResult> {
  const text = normalizeText(args.query, 'query', MAX_QUERY_LENGTH);
  const filters = toFilterSpec(args.filters);
  const sort = requireSort(args.sort);
  const currency = requireCurrency(args.currency);
  const first = clampFirst(args.first, MAX_PAGE_SIZE);
  const offset = decodeOffsetCursor(args.after);
  const limit = Math.max(0, Math.min(first, MAX_RESULT_WINDOW - offset));

  if (text !== '' && !hasSearchableTerms(text)) {
    return { edges: [], pageInfo: pageInfo([], offset, false), totalCount: 0, facets: emptyFacets(currency), matchMode: 'NONE' };
  }

  const spec: SearchSpec = { mode: text === '' ? 'BROWSE' : 'FULL_TEXT', text, filters, currency, sort, limit, offset };
  const { ids, aggregates, hasNextPage } = spec.mode === 'BROWSE' ? await browse(ctx, spec) : await textSearch(ctx, spec);

  const edges = ids.map((id, index) => ({
    cursor: encodeOffsetCursor(offset + index + 1),
    node: { __typename: 'Product' as const, id },
  }));
  return {
    edges,
    pageInfo: pageInfo(edges, offset, hasNextPage),
    totalCount: aggregates.total,
    facets: toFacets(aggregates, filters.options, currency),
    matchMode: spec.mode,
  };
}

interface Found {
  ids: string[];
  aggregates: SearchAggregates;
  hasNextPage: boolean;
}

/**
 * Full text (from the replica when there is one and it can evaluate the
 * query), or the fuzzy fallback (SQL) when the text matches no product at
 * all. Mutates spec.mode.
 */
async function textSearch(ctx: SearchContext, spec: SearchSpec): Promise<Found> {
  let rows: TextSearchRows | null = null;
  if (ctx.replica) {
    const [store, query] = await Promise.all([ctx.replica.current(), ctx.replica.tsquery(spec.text)]);
    if (query) rows = replicaTextSearch(store, query, spec);
  }
  rows ??= await runTextSearch(ctx.prisma, spec);
  if (rows.matched === 0) {
    spec.mode = 'FUZZY';
    rows = await runTextSearch(ctx.prisma, spec);
  }
  const reachable = Math.min(rows.total, MAX_RESULT_WINDOW);
  return { ids: rows.ids, aggregates: rows, hasNextPage: spec.offset + rows.ids.length < reachable };
}

/**
 * No text. From the replica: page and counts (kept per category) as fresh
 * as PostgreSQL. Without one: the page is always fresh; total and facets
 * come from the browse cache (at most ttl old). One row more than the page
 * tells hasNextPage.
 */
async function browse(ctx: SearchContext, spec: SearchSpec): Promise<Found> {
  const fetchMore = spec.offset + spec.limit < MAX_RESULT_WINDOW;
  if (ctx.replica) {
    const store = await ctx.replica.current();
    const rows = replicaBrowsePage(store, { ...spec, limit: spec.limit + (fetchMore ? 1 : 0) });
    return { ids: rows.slice(0, spec.limit), aggregates: replicaBrowseAggregates(store, spec), hasNextPage: rows.length > spec.limit };
  }
  const key = JSON.stringify([spec.filters, spec.currency]);
  const [rows, aggregates] = await Promise.all([
    runBrowsePage(ctx.prisma, { ...spec, limit: spec.limit + (fetchMore ? 1 : 0) }),
    ctx.browseCache.get(key, () => runBrowseAggregates(ctx.prisma, spec)),
  ]);
  return { ids: rows.slice(0, spec.limit), aggregates, hasNextPage: rows.length > spec.limit };
}

function pageInfo(edges: readonly { cursor: string }[], offset: number, hasNextPage: boolean): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage: offset > 0,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  };
}
