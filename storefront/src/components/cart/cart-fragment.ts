import { graphql } from '@/graphql/generated';

/**
 * What the cart page, the badge and the live subscription read of a cart. One
 * fragment, so a `cartUpdated` event replaces the server-rendered cart exactly.
 */
export const CartViewFragment = graphql(`
  fragment CartView on Cart {
    id
    currency
    discountCode
    itemCount
    updatedAt
    lines {
      ...CartLineView
    }
    savedForLater {
      ...CartLineView
    }
    totals {
      subtotal {
        ...MoneyFields
      }
      discount {
        ...MoneyFields
      }
      estimatedTax {
        ...MoneyFields
      }
      estimatedShipping {
        ...MoneyFields
      }
      total {
        ...MoneyFields
      }
    }
  }
`);

export const CartLineViewFragment = graphql(`
  fragment CartLineView on CartLine {
    id
    available
    quantity
    sku
    title
    unitPrice {
      ...MoneyFields
    }
    lineTotal {
      ...MoneyFields
    }
    variant {
      name
      ...LineVariant
    }
  }
`);

/** What a cart or order line shows of its variant: the product's name, thumbnail and link, and the options. */
export const LineVariantFragment = graphql(`
  fragment LineVariant on ProductVariant {
    id
    options {
      name
      value
    }
    product {
      id
      slug
      name
      images {
        url
        altText
      }
    }
  }
`);
