import { graphql } from '@/graphql/generated';

/**
 * The subscriptions that browser code sends. They are declared here, with
 * `graphql()`, so codegen generates their typed documents, but client
 * components import the generated constants (`…Document` from
 * `@/graphql/generated/graphql`) instead: `graphql()` itself is a map of every
 * operation in the app, and importing it from a client component ships all of
 * them in every page's first-load JavaScript. Nothing imports this module.
 */
export const NotificationReceived = graphql(`
  subscription NotificationReceived {
    notificationReceived {
      id
      title
      read
    }
  }
`);

export const OrderStatusLive = graphql(`
  subscription OrderStatusLive($orderId: ID!, $email: String) {
    orderStatusChanged(orderId: $orderId, email: $email) {
      id
      status
      statusReason
      updatedAt
    }
  }
`);

export const CartLive = graphql(`
  subscription CartLive($cartId: ID!, $cartToken: String) {
    cartUpdated(cartId: $cartId, cartToken: $cartToken) {
      ...CartView
    }
  }
`);
