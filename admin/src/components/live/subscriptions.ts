import { graphql } from '@/graphql/generated';

/**
 * The subscriptions the console's browser code sends, declared for codegen
 * (typed documents, the operation check and the manifest). Client components
 * import the generated `…Document` constants instead of this module, so a page
 * does not ship every operation. Nothing imports this module.
 */
export const StockLevelLive = graphql(`
  subscription AdminStockLevelLive($sku: String) {
    stockLevelChanged(sku: $sku) {
      sku
      onHand
      reserved
      available
    }
  }
`);

export const OrderLive = graphql(`
  subscription AdminOrderLive($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      id
      status
    }
  }
`);

export const OrderEventsLive = graphql(`
  subscription AdminOrderEvents {
    orderEvents {
      kind
      to
      order {
        id
      }
    }
  }
`);
