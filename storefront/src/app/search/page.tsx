import type { Metadata } from 'next';
import Link from 'next/link';
import { Listing } from '@/components/catalog/listing';
import { getDepartments, searchCatalog } from '@/lib/catalog/data';
import { PAGE_SIZE, type SearchParams, hasFilters, listingHref, parseListing, searchFilters } from '@/lib/catalog/listing';
import { GraphQLRequestError } from '@/lib/graphql';
import { NOINDEX_FOLLOW } from '@/lib/seo';
import { currency } from '@/lib/session';

interface Props {
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const state = parseListing(await searchParams);
  const title = state.query ? `Search results for “${state.query}”` : 'All products';
  return {
    title,
    description: state.query ? `Products matching “${state.query}” at Commerce.` : 'Browse every product at Commerce.',
    // Search results are for shoppers, not for search engines: followed, never indexed.
    alternates: { canonical: state.query ? `/search?q=${encodeURIComponent(state.query)}` : '/search' },
    robots: NOINDEX_FOLLOW,
  };
}

export default async function SearchPage({ searchParams }: Props) {
  const [state, shopperCurrency] = await Promise.all([searchParams.then(parseListing), currency()]);
  const path = '/search';
  let result: Awaited<ReturnType<typeof searchCatalog>> | null = null;
  let problem: string | null = null;
  try {
    result = await searchCatalog({
      query: state.query || null,
      filters: searchFilters(state, null),
      sort: state.sort,
      first: PAGE_SIZE,
      after: state.after,
      currency: shopperCurrency,
    });
  } catch (error) {
    if (!(error instanceof GraphQLRequestError) || !['INVALID_CURSOR', 'BAD_USER_INPUT'].includes(error.code)) throw error;
    problem = error.code === 'INVALID_CURSOR' ? 'That page of results is no longer available.' : 'We could not search for that. Try a shorter search.';
  }
  const heading = state.query ? (
    <>
      Search results for <q>{state.query}</q>
    </>
  ) : (
    'All products'
  );

  return (
    <>
      <header className="listing-header">
        <h1>{heading}</h1>
        {result?.matchMode === 'FUZZY' && result.totalCount > 0 ? (
          <p className="notice search-fuzzy" role="note">
            No exact matches for “{state.query}”. Showing results for similar names.
          </p>
        ) : null}
      </header>
      {result ? (
        <Listing
          result={result}
          state={state}
          path={path}
          currency={shopperCurrency}
          selectedCategoryId={state.categoryId}
          categoryHref={(target) => listingHref(path, state, { categoryId: target?.id ?? null, options: [] })}
          empty={<NoResults query={state.query} filtered={hasFilters(state) || Boolean(state.categoryId)} clearHref={listingHref(path, state, { options: [], price: null, stock: null, categoryId: null })} />}
        />
      ) : (
        <div className="notice notice--warn" role="alert">
          <p>{problem}</p>
          <p>
            <Link href={state.query ? `/search?q=${encodeURIComponent(state.query)}` : '/search'}>Start this search again</Link>
          </p>
        </div>
      )}
    </>
  );
}

/** Nothing matched: help the shopper on (spelling, fewer filters, the departments). */
async function NoResults({ query, filtered, clearHref }: { query: string; filtered: boolean; clearHref: string }) {
  const departments = await getDepartments().catch(() => []);
  return (
    <div className="notice empty-results">
      <h2>{query ? `No products match “${query}”` : 'No products match'}</h2>
      <ul className="empty-results__tips">
        {filtered ? (
          <li>
            <Link href={clearHref}>Remove the filters</Link> and search again.
          </li>
        ) : null}
        {query ? <li>Check the spelling, or try a shorter or more general word (“jacket” rather than “waterproof jacket”).</li> : null}
        <li>
          Or <Link href="/search">browse every product</Link>.
        </li>
      </ul>
      {departments.length ? (
        <nav aria-label="Shop by department">
          <h3>Shop by department</h3>
          <ul className="pill-list">
            {departments.map((department) => (
              <li key={department.id}>
                <Link href={`/c/${department.slug}`} className="pill">
                  {department.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}
