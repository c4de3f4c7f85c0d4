import type { SearchFilters, SearchSort } from '@/graphql/generated/graphql';

/**
 * A listing's state (category and search pages) lives in the URL's search
 * params, so every filter, sort and page is a link that works without
 * JavaScript and can be shared:
 *   q=<text>          search only
 *   category=<id>     search only (category pages use their path)
 *   opt=<Name>:<Value> repeated; values of one option are alternatives
 *   price=<min>-<max> minor units of the shopper's currency, max exclusive, either side may be empty
 *   stock=in|out
 *   sort=newest|price-asc|price-desc|rating   (absent: best match)
 *   after=<cursor>, page=<n>                    pagination (page only numbers the page)
 */
export interface ListingState {
  query: string;
  categoryId: string | null;
  options: { name: string; value: string }[];
  price: { min: number | null; max: number | null } | null;
  stock: 'in' | 'out' | null;
  sort: SearchSort;
  after: string | null;
  page: number;
}

export type SearchParams = Record<string, string | string[] | undefined>;

export const PAGE_SIZE = 24;

export const SORTS: { value: SearchSort; param: string | null; label: string }[] = [
  { value: 'RELEVANCE', param: null, label: 'Best match' },
  { value: 'NEWEST', param: 'newest', label: 'Newest' },
  { value: 'PRICE_ASC', param: 'price-asc', label: 'Price: low to high' },
  { value: 'PRICE_DESC', param: 'price-desc', label: 'Price: high to low' },
  { value: 'RATING', param: 'rating', label: 'Top rated' },
];

function all(params: SearchParams, key: string): string[] {
  const value = params[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function one(params: SearchParams, key: string): string | null {
  return all(params, key)[0] ?? null;
}

function amount(text: string | undefined): number | null {
  if (!text || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}

export function parseListing(params: SearchParams): ListingState {
  const options: ListingState['options'] = [];
  const seen = new Set<string>();
  for (const raw of all(params, 'opt').slice(0, 30)) {
    const at = raw.indexOf(':');
    if (at <= 0 || at === raw.length - 1) continue;
    const option = { name: raw.slice(0, at).slice(0, 100), value: raw.slice(at + 1).slice(0, 100) };
    const key = `${option.name}\u0000${option.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    options.push(option);
  }
  let price: ListingState['price'] = null;
  const priceParam = one(params, 'price');
  if (priceParam && /^\d{0,9}-\d{0,9}$/.test(priceParam)) {
    const [low, high] = priceParam.split('-');
    const min = amount(low);
    const max = amount(high);
    if ((min !== null || max !== null) && (min === null || max === null || min < max)) price = { min, max };
  }
  const stockParam = one(params, 'stock');
  const sortParam = one(params, 'sort');
  const page = Number(one(params, 'page'));
  const after = one(params, 'after');
  return {
    query: (one(params, 'q') ?? '').trim().slice(0, 200),
    categoryId: one(params, 'category') || null,
    options,
    price,
    stock: stockParam === 'in' || stockParam === 'out' ? stockParam : null,
    sort: SORTS.find((sort) => sort.param !== null && sort.param === sortParam)?.value ?? 'RELEVANCE',
    after: after || null,
    page: after && Number.isInteger(page) && page > 1 && page < 10_000 ? page : 1,
  };
}

/** The graph's filters for a state (the price's exclusive max becomes the filter's inclusive one). */
export function searchFilters(state: ListingState, categoryId: string | null): SearchFilters {
  const filters: SearchFilters = {};
  const category = categoryId ?? state.categoryId;
  if (category) filters.categoryId = category;
  if (state.options.length) filters.options = state.options;
  if (state.price) {
    filters.price = {
      ...(state.price.min !== null ? { min: state.price.min } : {}),
      ...(state.price.max !== null ? { max: state.price.max - 1 } : {}),
    };
  }
  if (state.stock) filters.inStock = state.stock === 'in';
  return filters;
}

/** Filters or a sort or a later page: a variation of the page that search engines must not index. */
export function isVariation(state: ListingState): boolean {
  return Boolean(state.categoryId || state.options.length || state.price || state.stock || state.sort !== 'RELEVANCE' || state.after);
}

export function hasFilters(state: ListingState): boolean {
  return Boolean(state.options.length || state.price || state.stock);
}

/** The URL of `state` after `change` (a change of filter or sort goes back to the first page). */
export function listingHref(path: string, state: ListingState, change: Partial<ListingState> = {}): string {
  const resetsPage = !('after' in change);
  const next: ListingState = { ...state, ...change, ...(resetsPage ? { after: null, page: 1 } : {}) };
  const params = new URLSearchParams();
  if (next.query) params.set('q', next.query);
  if (next.categoryId) params.set('category', next.categoryId);
  for (const option of next.options) params.append('opt', `${option.name}:${option.value}`);
  if (next.price) params.set('price', `${next.price.min ?? ''}-${next.price.max ?? ''}`);
  if (next.stock) params.set('stock', next.stock);
  const sort = SORTS.find((s) => s.value === next.sort)?.param;
  if (sort) params.set('sort', sort);
  if (next.after) {
    params.set('after', next.after);
    if (next.page > 1) params.set('page', String(next.page));
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

export function toggleOption(state: ListingState, name: string, value: string): ListingState['options'] {
  const present = state.options.some((o) => o.name === name && o.value === value);
  return present ? state.options.filter((o) => !(o.name === name && o.value === value)) : [...state.options, { name, value }];
}
