import { graphql } from '@/graphql/generated';

/** What a product card shows; one fragment for every product list (home, category, search). */
export const ProductCardFragment = graphql(`
  fragment ProductCard on Product {
    id
    slug
    name
    brand
    inStock
    images {
      url
      altText
    }
    priceRange(currency: $currency) {
      min {
        amountMinor
        currency
      }
      max {
        amountMinor
        currency
      }
    }
    rating {
      average
      count
    }
  }
`);

/** One request for a whole listing page: the products, the facets and the count (category and search pages). */
export const CatalogSearchQuery = graphql(`
  query CatalogSearch(
    $query: String
    $filters: SearchFilters
    $sort: SearchSort
    $first: Int
    $after: String
    $currency: CurrencyCode!
  ) {
    search(query: $query, filters: $filters, sort: $sort, first: $first, after: $after, currency: $currency) {
      totalCount
      matchMode
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ProductCard
        }
      }
      facets {
        categories {
          id
          slug
          name
          depth
          parentId
          count
        }
        options {
          name
          values {
            value
            count
            selected
          }
        }
        priceRanges {
          count
          min {
            amountMinor
            currency
          }
          max {
            amountMinor
            currency
          }
        }
        inStock {
          inStock
          count
        }
      }
    }
  }
`);
