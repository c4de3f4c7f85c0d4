import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/components/catalog/breadcrumbs';
import { Listing } from '@/components/catalog/listing';
import { getCategory, searchCatalog } from '@/lib/catalog/data';
import { PAGE_SIZE, type SearchParams, hasFilters, isVariation, listingHref, parseListing, searchFilters } from '@/lib/catalog/listing';
import { GraphQLRequestError } from '@/lib/graphql';
import { NOINDEX_FOLLOW, metaDescription } from '@/lib/seo';
import { currency } from '@/lib/session';

interface Props {
  params: Promise<{ slug: string }>;
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { slug } = await params;
  const category = await getCategory(slug);
  if (!category) return { title: 'Category not found', robots: { index: false } };
  const state = parseListing(await searchParams);
  const path = `/c/${category.slug}`;
  const description = metaDescription(category.description, `Shop ${category.name} at Commerce: compare prices, sizes and reviews.`);
  return {
    title: category.name,
    description,
    // Facets, sorts and pages are variations of one page: one canonical URL, and only it is indexed.
    alternates: { canonical: path },
    ...(isVariation(state) ? { robots: NOINDEX_FOLLOW } : {}),
    openGraph: { type: 'website', title: category.name, description, url: path },
  };
}

export default async function CategoryPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const [category, state, shopperCurrency] = await Promise.all([getCategory(slug), searchParams.then(parseListing), currency()]);
  if (!category) notFound();
  const path = `/c/${category.slug}`;
  // Category pages browse: a `q` or `category` param has no meaning here.
  const listingState = { ...state, query: '', categoryId: null };

  let result: Awaited<ReturnType<typeof searchCatalog>> | null = null;
  let problem: string | null = null;
  try {
    result = await searchCatalog(
      {
        filters: searchFilters(listingState, category.id),
        sort: listingState.sort,
        first: PAGE_SIZE,
        after: listingState.after,
        currency: shopperCurrency,
      },
      [`category:${category.slug}`],
    );
  } catch (error) {
    if (!(error instanceof GraphQLRequestError) || !['INVALID_CURSOR', 'BAD_USER_INPUT'].includes(error.code)) throw error;
    problem = error.code === 'INVALID_CURSOR' ? 'That page of results is no longer available.' : 'Those filters are not valid.';
  }

  return (
    <>
      <Breadcrumbs trail={category.ancestors.map((a) => ({ href: `/c/${a.slug}`, name: a.name }))} current={category.name} />
      <header className="listing-header">
        <h1>{category.name}</h1>
        {category.description ? <p className="muted listing-header__lead">{category.description}</p> : null}
        {category.children.edges.length ? (
          <nav aria-label={`${category.name} subcategories`} className="subcategories">
            <ul>
              {category.children.edges.map(({ node }) => (
                <li key={node.id}>
                  <Link href={`/c/${node.slug}`} className="pill">
                    {node.name}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      {result ? (
        <Listing
          result={result}
          state={listingState}
          path={path}
          currency={shopperCurrency}
          selectedCategoryId={category.id}
          categoryHref={(target) =>
            target
              ? listingHref(`/c/${target.slug}`, listingState, { options: [] })
              : listingHref('/search', listingState, { options: [] })
          }
          empty={
            <div className="notice empty-results">
              <h2>No products match {hasFilters(listingState) ? 'these filters' : 'here yet'}</h2>
              {hasFilters(listingState) ? (
                <p>
                  <Link href={listingHref(path, listingState, { options: [], price: null, stock: null })}>Clear all filters</Link> to see
                  everything in {category.name}.
                </p>
              ) : (
                <p>
                  <Link href="/">Browse the departments</Link> or <Link href="/search">search the shop</Link>.
                </p>
              )}
            </div>
          }
        />
      ) : (
        <div className="notice notice--warn" role="alert">
          <p>{problem}</p>
          <p>
            <Link href={path}>Show {category.name} from the start</Link>
          </p>
        </div>
      )}
    </>
  );
}
