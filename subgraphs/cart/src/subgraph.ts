import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers, redisUrl } from '@commerce/config';
import { startInBackground, startOutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import { Redis } from 'ioredis';
import type { CartContext } from './context.js';
import { RedisCartLive, type CartLive } from './data/live.js';
import { createLoaders } from './data/loaders.js';
import { createCartPrisma, type CartPrisma } from './data/prisma.js';
import { CartStore } from './data/redis-store.js';
import { CART_CONSUMER_GROUP, startCartConsumer } from './events/consumers.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';

export interface CartSubgraphOptions {
  /** The cart database; defaults to databaseUrl('cart', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /** A Prisma client to use instead of creating one; the caller keeps ownership. */
  prisma?: CartPrisma;
  /** An ioredis client (the caller keeps ownership) or a URL; defaults to redisUrl(). */
  redis?: Redis | string;
  /** Prefix of every Redis key (default `cart:`); tests use a per-run prefix. */
  keyPrefix?: string;
  /** Start the outbox relay that publishes cart events to Kafka (default true). */
  relay?: boolean;
  /**
   * Start the consumer of product and order events (default true): the
   * variant read model and checkout depend on it.
   */
  consumer?: boolean;
  /** Consumer group (default `cart`); tests and e2e runs use their own. */
  consumerGroup?: string;
  /**
   * Where a new consumer group starts; unset leaves it to startConsumer (the
   * oldest retained event unless KAFKA_CONSUMER_FROM_BEGINNING=false: the read model needs history).
   */
  consumerFromBeginning?: boolean;
  /**
   * Live cart updates over Redis (default on, at REDIS_URL): each committed
   * change is published on `live:cart:<id>` and `cartUpdated` follows it. A
   * URL picks another Redis (default: `redis` when it is a URL); false turns
   * both off (subscriptions are then refused).
   */
  live?: boolean | string;
  logger?: Logger;
}

/**
 * The cart subgraph: anonymous and signed-in users' carts, totals, discount
 * codes, merge on sign-in, the cart side of checkout, and live updates
 * (cartUpdated). Owns its Prisma client, Redis connection (unless given),
 * outbox relay, consumer and live publisher; `stop()` closes what it owns.
 */
export function cartSubgraph(options: CartSubgraphOptions = {}): SubgraphDefinition<CartContext> {
  const url = options.databaseUrl ?? configuredDatabaseUrl('cart', options.env);
  const prisma = options.prisma ?? createCartPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const redis = typeof options.redis === 'object' ? options.redis : new Redis(options.redis ?? redisUrl());
  const ownsRedis = typeof options.redis !== 'object';
  const store = new CartStore(redis, options.keyPrefix ?? 'cart:');
  const logger = options.logger ?? createLogger({ service: 'cart' });
  const liveRedisUrl = typeof options.live === 'string' ? options.live : typeof options.redis === 'string' ? options.redis : redisUrl();
  const live: CartLive | undefined = options.live === false ? undefined : new RedisCartLive(logger, liveRedisUrl);

  // Started with the definition: SubgraphDefinition has no start hook.
  const relay =
    (options.relay ?? true)
      ? startInBackground('cart outbox relay', () => startOutboxRelay({ domain: 'cart', databaseUrl: url, brokers: kafkaBrokers(), logger }), { logger })
      : undefined;
  const consumer =
    (options.consumer ?? true)
      ? startInBackground(
          'cart event consumer',
          () =>
            startCartConsumer({
              prisma,
              store,
              logger,
              live,
              group: options.consumerGroup ?? CART_CONSUMER_GROUP,
              fromBeginning: options.consumerFromBeginning,
            }),
          { logger },
        )
      : undefined;

  return {
    name: 'cart',
    metrics: domainMetrics({ domain: 'cart', databaseUrl: url, consumerGroups: ['cart'] }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): CartContext => ({
      ...base,
      prisma,
      store,
      loaders: createLoaders(prisma, store),
      pricedCarts: new WeakMap(),
      live,
    }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
      await redis.ping();
    },
    async stop() {
      await consumer?.stop();
      await relay?.stop();
      await live?.close();
      if (ownsPrisma) await prisma.$disconnect();
      if (ownsRedis) await redis.quit();
    },
  };
}
