import type { BaseContext } from '@commerce/subgraph-kit';
import type { CartDoc } from './data/cart-document.js';
import type { CartLive } from './data/live.js';
import type { CartLoaders } from './data/loaders.js';
import type { CartPrisma } from './data/prisma.js';
import type { CartStore } from './data/redis-store.js';
import type { PricedCart } from './service/pricing/totals.service.js';

/**
 * The request context every cart resolver and service receives: the kit's
 * identity, request id, logger and trace context, plus the cart stores and
 * this request's DataLoaders. Services take it as their first argument.
 */
export interface CartContext extends BaseContext {
  prisma: CartPrisma;
  store: CartStore;
  loaders: CartLoaders;
  /** Priced views of the cart documents read in this request (lines and totals share one). */
  pricedCarts: WeakMap<CartDoc, Promise<PricedCart>>;
  /** Live cart updates (publish after commit, cartUpdated); undefined when turned off. */
  live: CartLive | undefined;
}
