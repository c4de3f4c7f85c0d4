import { graphql } from '@/graphql/generated';
import type { OrderDetailsFragment } from '@/graphql/generated/graphql';

/**
 * What every order view shows of an order (the account's order page, the guest
 * lookup and the confirmation page): its status, lines, totals and address.
 * Each view's query spreads it and adds its own extras (timeline, live status…).
 */
export const OrderDetailsFragmentDocument = graphql(`
  fragment OrderDetails on Order {
    id
    number
    status
    statusReason
    placedAt
    trackingNumber
    discountCode
    lines {
      id
      title
      sku
      quantity
      unitPrice {
        ...MoneyFields
      }
      lineTotal {
        ...MoneyFields
      }
    }
    subtotal {
      ...MoneyFields
    }
    discount {
      ...MoneyFields
    }
    shipping {
      ...MoneyFields
    }
    tax {
      ...MoneyFields
    }
    total {
      ...MoneyFields
    }
    shippingAddress {
      fullName
      line1
      line2
      city
      region
      postalCode
      countryCode
    }
  }
`);

export type OrderDetails = OrderDetailsFragment;
