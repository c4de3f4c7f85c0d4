import type { MetadataRoute } from 'next';
import { graphql } from '@/graphql/generated';
import type { SitemapProductsQuery as SitemapProductsResult } from '@/graphql/generated/graphql';
import { executeGraphQL } from '@/lib/graphql';
import { absoluteUrl } from '@/lib/seo';

/** Built on request (the graph is not there at build time), from cached reads. */
export const dynamic = 'force-dynamic';

const SitemapCategoriesQuery = graphql(`
  query SitemapCategories {
    categories(first: 100) {
      edges {
        node {
          slug
          children(first: 100) {
            edges {
              node {
                slug
                children(first: 100) {
                  edges {
                    node {
                      slug
                    }
                  }
                }
              }
            }
          }
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
const cache = { tags: ['catalog', 'sitemap'], revalidate: 600 };

/** /sitemap.xml: the home page, every category (three levels) and active products, paged through the graph. */
export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const entries: MetadataRoute.Sitemap = [{ url: absoluteUrl('/'), changeFrequency: 'daily', priority: 1 }];

  const { categories } = await executeGraphQL(SitemapCategoriesQuery, { cache });
  const slugs: string[] = [];
  for (const { node: top } of categories.edges) {
    slugs.push(top.slug);
    for (const { node: child } of top.children.edges) {
      slugs.push(child.slug);
      for (const { node: leaf } of child.children.edges) slugs.push(leaf.slug);
    }
  }
  for (const slug of slugs) entries.push({ url: absoluteUrl(`/c/${slug}`), changeFrequency: 'daily', priority: 0.8 });

  let after: string | null = null;
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
