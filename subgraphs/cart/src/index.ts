export { cartSubgraph, type CartSubgraphOptions } from './subgraph.js';
export { CartStore } from './data/redis-store.js';
export { createCartPrisma, type CartPrisma } from './data/prisma.js';
export { startCartConsumer, CART_CONSUMER_GROUP, type CartConsumerOptions } from './events/consumers.js';
export { computeTotals, TAX_RATE_BPS, SHIPPING_FLAT_MINOR, FREE_SHIPPING_THRESHOLD_MINOR } from './service/pricing/totals.service.js';
