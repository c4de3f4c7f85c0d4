import { graphql } from '@/graphql/generated';

/** Everything the product page shows, in one request (variants, prices, stock, a page of reviews). */
export const ProductPageQuery = graphql(`
  query ProductPage($slug: String!, $currency: CurrencyCode!, $reviewsFirst: Int!, $reviewsAfter: String) {
    product(slug: $slug) {
      id
      slug
      name
      brand
      description
      inStock
      category {
        id
        slug
        name
        ancestors {
          id
          slug
          name
        }
      }
      images {
        url
        altText
      }
      rating {
        average
        count
      }
      variants {
        id
        sku
        name
        inStock
        options {
          name
          value
        }
        price(currency: $currency) {
          amountMinor
          currency
        }
        availability {
          available
          inStock
          lowStock
        }
      }
      reviews(first: $reviewsFirst, after: $reviewsAfter) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            rating
            title
            body
            createdAt
            author {
              name
            }
          }
        }
      }
    }
  }
`);
