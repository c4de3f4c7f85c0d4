import { graphql } from '@/graphql/generated';

/**
 * The home page's products in one request: the best rated in stock (featured,
 * from search) and the newest active products (from the catalog itself).
 */
export const HomeProductsQuery = graphql(`
  query HomeProducts($currency: CurrencyCode!, $first: Int!) {
    featured: search(sort: RATING, filters: { inStock: true }, first: $first, currency: $currency) {
      edges {
        node {
          ...ProductCard
        }
      }
    }
    newArrivals: products(first: $first) {
      edges {
        node {
          ...ProductCard
        }
      }
    }
  }
`);
