import Link from 'next/link';
import type { CatalogSearchQuery } from '@/graphql/generated/graphql';
import { type ListingState, SORTS, hasFilters, listingHref } from '@/lib/catalog/listing';
import type { Currency } from '@/lib/money';
import { AutoSubmitSelect } from './auto-submit-select';
import { ActiveFilters, FacetPanel, type FacetsProps } from './facets';
import { ProductGrid } from './product-card';

type SearchResult = CatalogSearchQuery['search'];

export function productCount(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'product' : 'products'}`;
}

/**
 * A listing page's body, shared by the category and search pages: facets,
 * the count, sort, the active filters, the grid and pagination.
 */
export function Listing({
  result,
  state,
  path,
  currency,
  selectedCategoryId,
  categoryHref,
  empty,
}: {
  result: SearchResult;
  state: ListingState;
  path: string;
  currency: Currency;
  selectedCategoryId: string | null;
  categoryHref: FacetsProps['categoryHref'];
  /** What to show when nothing matches. */
  empty: React.ReactNode;
}) {
  const products = result.edges.map((edge) => edge.node);
  if (result.totalCount === 0 && !hasFilters(state) && !state.categoryId && !state.after) {
    // Nothing to filter or sort: just the help.
    return <div className="listing listing--empty">{empty}</div>;
  }
  return (
    <div className="listing">
      <aside className="listing__facets" aria-label="Filters">
        <FacetPanel facets={result.facets} state={state} path={path} selectedCategoryId={selectedCategoryId} categoryHref={categoryHref} />
      </aside>
      <div className="listing__results">
        <div className="listing__toolbar">
          <p className="listing__count" role="status" data-testid="product-count">
            {productCount(result.totalCount)}
            {state.page > 1 ? <span className="muted"> · page {state.page}</span> : null}
          </p>
          <SortForm state={state} path={path} />
        </div>
        <ActiveFilters state={state} path={path} currency={currency} />
        <h2 className="visually-hidden">Products</h2>
        {products.length ? <ProductGrid products={products} label="Products" preloadFirst={state.page === 1 ? 2 : 0} /> : empty}
        <Pagination result={result} state={state} path={path} />
      </div>
    </div>
  );
}

/** Sort as a GET form: it keeps every filter in hidden fields, and works without JavaScript. */
function SortForm({ state, path }: { state: ListingState; path: string }) {
  const hidden: [string, string][] = [];
  if (state.query) hidden.push(['q', state.query]);
  if (state.categoryId) hidden.push(['category', state.categoryId]);
  for (const option of state.options) hidden.push(['opt', `${option.name}:${option.value}`]);
  if (state.price) hidden.push(['price', `${state.price.min ?? ''}-${state.price.max ?? ''}`]);
  if (state.stock) hidden.push(['stock', state.stock]);
  const current = SORTS.find((sort) => sort.value === state.sort)?.param ?? '';
  return (
    <form action={path} method="get" className="sort-form">
      {hidden.map(([name, value]) => (
        <input key={`${name}=${value}`} type="hidden" name={name} value={value} />
      ))}
      <label htmlFor="sort">Sort by</label>
      <AutoSubmitSelect id="sort" name="sort" defaultValue={current} key={current}>
        {SORTS.map((sort) => (
          <option key={sort.value} value={sort.param ?? ''}>
            {sort.label}
          </option>
        ))}
      </AutoSubmitSelect>
      <noscript>
        <button type="submit" className="button--secondary">
          Apply
        </button>
      </noscript>
    </form>
  );
}

function Pagination({ result, state, path }: { result: SearchResult; state: ListingState; path: string }) {
  const next = result.pageInfo.hasNextPage && result.pageInfo.endCursor;
  if (!next && state.page <= 1 && !state.after) return null;
  return (
    <nav className="pagination" aria-label="Pagination">
      {state.after ? (
        <Link href={listingHref(path, state)} className="button button--secondary">
          First page
        </Link>
      ) : null}
      {next ? (
        <Link href={listingHref(path, state, { after: next, page: state.page + 1 })} className="button" rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
