import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers, redisUrl, subgraphUrl } from '@commerce/config';
import { startInBackground, startOutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import type { OrdersContext } from './context.js';
import { HttpCartReader, type CartReader } from './data/cart-client.js';
import { RedisOrderLive, type OrderLive } from './data/live.js';
import { createLoaders } from './data/loaders.js';
import { createOrdersPrisma, type OrdersPrisma } from './data/prisma.js';
import { startOrdersConsumer } from './events/consumer.js';
import { ORDER_SAGA_GAUGES } from './metrics.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';

export interface OrdersSubgraphOptions {
  /** The orders database; defaults to databaseUrl('orders', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /**
   * How placeOrder reads carts. Defaults to the cart subgraph over HTTP at
   * `cartUrl` (default subgraphUrl('cart')). Tests pass an in-process reader.
   */
  cartReader?: CartReader;
  cartUrl?: string;
  /** Timeout of a cart subgraph call (default 5 s). */
  cartTimeoutMs?: number;
  /**
   * Start the outbox relay that publishes this subgraph's events to Kafka
   * (default true). Tests that look only at outbox rows turn it off.
   */
  relay?: boolean;
  /** Start the saga consumer of stock and payment events (default true). */
  consumers?: boolean;
  /** The consumer group (default 'orders'); tests use their own. */
  consumerGroup?: string;
  /**
   * Live order updates over Redis (default on, at REDIS_URL): each committed
   * status transition is published on `live:order:<id>` and
   * `orderStatusChanged` follows it. A URL picks another Redis; false turns
   * both off (subscriptions are then refused).
   */
  live?: boolean | string;
  /**
   * A Prisma client to use instead of creating one; the caller keeps
   * ownership (stop() does not disconnect it).
   */
  prisma?: OrdersPrisma;
  logger?: Logger;
}

/**
 * The orders subgraph: placing orders from carts, the order state machine,
 * the saga reactions to inventory and payments, admin fulfilment and refunds,
 * and live status updates (orderStatusChanged). Owns its Prisma client,
 * outbox relay, saga consumer, cart client and live publisher; `stop()`
 * closes them.
 */
export function ordersSubgraph(options: OrdersSubgraphOptions = {}): SubgraphDefinition<OrdersContext> {
  const url = options.databaseUrl ?? configuredDatabaseUrl('orders', options.env);
  const prisma = options.prisma ?? createOrdersPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const logger = options.logger ?? createLogger({ service: 'orders' });
  const cartReader =
    options.cartReader ?? new HttpCartReader({ url: options.cartUrl ?? subgraphUrl('cart'), timeoutMs: options.cartTimeoutMs, logger });
  const live: OrderLive | undefined =
    options.live === false ? undefined : new RedisOrderLive(logger, typeof options.live === 'string' ? options.live : redisUrl());

  // Started with the definition: SubgraphDefinition has no start hook, and the
  // relay and consumer must run for as long as the subgraph may write or react.
  const relay =
    (options.relay ?? true)
      ? startInBackground('orders outbox relay', () => startOutboxRelay({ domain: 'orders', databaseUrl: url, brokers: kafkaBrokers(), logger }), { logger })
      : undefined;
  const consumer =
    (options.consumers ?? true)
      ? startInBackground(
          'orders saga consumer',
          () => startOrdersConsumer({ prisma, logger, live, ...(options.consumerGroup ? { group: options.consumerGroup } : {}) }),
          { logger },
        )
      : undefined;

  return {
    name: 'orders',
    metrics: domainMetrics({ domain: 'orders', databaseUrl: url, consumerGroups: ['orders'], sqlGauges: ORDER_SAGA_GAUGES }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): OrdersContext => ({
      ...base,
      prisma,
      loaders: createLoaders(prisma),
      cartReader,
      // The header the kit verified the identity from (absent when anonymous), forwarded to the cart subgraph.
      authorization: base.authorization,
      live,
    }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async stop() {
      await consumer?.stop();
      await relay?.stop();
      cartReader.close?.();
      await live?.close();
      if (ownsPrisma) await prisma.$disconnect();
    },
  };
}
