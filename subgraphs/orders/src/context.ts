import type { BaseContext } from '@commerce/subgraph-kit';
import type { CartReader } from './data/cart-client.js';
import type { OrderLive } from './data/live.js';
import type { OrdersLoaders } from './data/loaders.js';
import type { OrdersPrisma } from './data/prisma.js';

/**
 * The request context every orders resolver and service receives: the kit's
 * identity, request id, logger and trace context, plus this request's
 * DataLoaders, the cart reader, the caller's raw Authorization header
 * (forwarded to the cart subgraph by placeOrder), and the live channel of
 * order updates (published after commits, followed by subscriptions).
 * Services take it as their first argument, so identity and database access
 * are never ambient.
 */
export interface OrdersContext extends BaseContext {
  prisma: OrdersPrisma;
  loaders: OrdersLoaders;
  cartReader: CartReader;
  authorization: string | undefined;
  /** Undefined when live updates are off (`live: false`): nothing is published, subscriptions are refused. */
  live: OrderLive | undefined;
}
