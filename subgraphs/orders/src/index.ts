export { ordersSubgraph, type OrdersSubgraphOptions } from './subgraph.js';
export { HttpCartReader, CART_FOR_CHECKOUT_QUERY, type CartReader, type CheckoutCart, type CheckoutCartLine } from './data/cart-client.js';
export { TRANSITIONS, canTransition } from './service/order-state-machine.js';
