import 'server-only';
import { cache } from 'react';
import { CatalogSearchQuery } from '@/components/catalog/queries';
import { graphql } from '@/graphql/generated';
import type { CatalogSearchQueryVariables } from '@/graphql/generated/graphql';
import { CATALOG_REVALIDATE_SECONDS } from '@/lib/config';
import { executeGraphQL } from '@/lib/graphql';

/**
 * The catalog pages' reads. Each is one request to the router, cached for
 * CATALOG_REVALIDATE_SECONDS under tags an event can revalidate
 * (`catalog`, `category:<slug>`, `product:<slug>`), and deduplicated within a
 * render with React's cache() (generateMetadata and the page share one).
 */
const catalogCache = (...tags: string[]) => ({ tags: ['catalog', ...tags], revalidate: CATALOG_REVALIDATE_SECONDS });

const CategoryQuery = graphql(`
  query CategoryPage($slug: String!) {
    category(slug: $slug) {
      id
      slug
      name
      description
      ancestors {
        id
        slug
        name
      }
      children(first: 50) {
        edges {
          node {
            id
            slug
            name
          }
        }
      }
    }
  }
`);

export const getCategory = cache(async (slug: string) => {
  const data = await executeGraphQL(CategoryQuery, { variables: { slug }, cache: catalogCache(`category:${slug}`) });
  return data.category;
});

/** One listing page: products, facets and count (called once per page, so no cache() wrapper). */
export async function searchCatalog(variables: CatalogSearchQueryVariables, tags: readonly string[] = []) {
  const data = await executeGraphQL(CatalogSearchQuery, { variables, cache: catalogCache(...tags) });
  return data.search;
}

const DepartmentsQuery = graphql(`
  query Departments {
    categories(first: 20) {
      edges {
        node {
          id
          slug
          name
          description
          children(first: 20) {
            edges {
              node {
                id
                slug
                name
              }
            }
          }
        }
      }
    }
  }
`);

/** The top-level categories and their children (header navigation, home page, empty results). */
export const getDepartments = cache(async () => {
  const data = await executeGraphQL(DepartmentsQuery, { cache: catalogCache('categories') });
  return data.categories.edges.map((edge) => edge.node);
});
