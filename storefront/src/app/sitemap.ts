import type { MetadataRoute } from 'next';
import { graphql } from '@/graphql/generated';
import type { SitemapCategoriesQuery as SitemapCategoriesResult, SitemapProductsQuery as SitemapProductsResult } from '@/graphql/generated/graphql';
import { executeGraphQL } from '@/lib/graphql';
import { absoluteUrl } from '@/lib/seo';

/** Built on request (the graph is not there at build time), from cached reads. */
export const dynamic = 'force-dynamic';

/** Every category at any depth, a page at a time (tree order), so a request costs `first`, not the tree's bounds. */
const SitemapCategoriesQuery = graphql(`
  query SitemapCategories($first: Int!, $after: String) {
    categories(first: $first, after: $after, scope: ALL) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          slug
        }
      }
    }
  }
`);

const SitemapProductsQuery = graphql(`
  query SitemapProducts($first: Int!, $after: String) {
    products(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          slug
          updatedAt
        }
      }
    }
  }
`);

const PAGE = 100;
/** One sitemap holds at most 50,000 URLs; we stop well before, at a bounded number of requests. */
const MAX_PRODUCT_PAGES = 100;
/** 5,000 categories: far more than a shop's tree, and still a bounded number of requests. */
const MAX_CATEGORY_PAGES = 50;
const cache = { tags: ['catalog', 'sitemap'], revalidate: 600 };

/** /sitemap.xml: the home page, every category (any depth) and active products, paged through the graph. */
export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const entries: MetadataRoute.Sitemap = [{ url: absoluteUrl('/'), changeFrequency: 'daily', priority: 1 }];

  let after: string | null = null;
  for (let page = 0; page < MAX_CATEGORY_PAGES; page++) {
    const { categories }: SitemapCategoriesResult = await executeGraphQL(SitemapCategoriesQuery, { variables: { first: PAGE, after }, cache });
    for (const { node } of categories.edges) entries.push({ url: absoluteUrl(`/c/${node.slug}`), changeFrequency: 'daily', priority: 0.8 });
    if (!categories.pageInfo.hasNextPage || !categories.pageInfo.endCursor) break;
    after = categories.pageInfo.endCursor;
  }

  after = null;
  for (let page = 0; page < MAX_PRODUCT_PAGES; page++) {
    const { products }: SitemapProductsResult = await executeGraphQL(SitemapProductsQuery, { variables: { first: PAGE, after }, cache });
    for (const { node } of products.edges) {
      entries.push({ url: absoluteUrl(`/p/${node.slug}`), lastModified: node.updatedAt, changeFrequency: 'weekly', priority: 0.6 });
    }
    if (!products.pageInfo.hasNextPage || !products.pageInfo.endCursor) break;
    after = products.pageInfo.endCursor;
  }
  return entries;
}
