import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers, redisUrl } from '@commerce/config';
import { startInBackground, startOutboxRelay, type DomainEventDefinition, type EventConsumer, type EventRegistry, type OutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import type { InventoryContext, InventoryHooks, InventoryServiceContext } from './context.js';
import { RedisStockLive, type StockLive } from './data/live.js';
import { createLoaders } from './data/loaders.js';
import { createInventoryPrisma, type InventoryPrisma } from './data/prisma.js';
import { INVENTORY_CONSUMER_GROUP, startInventoryConsumers } from './events/consumers.js';
import { startStockLiveConsumer, type StockLiveConsumerOptions } from './events/live-consumer.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { initialStockStrategy, type InitialStockStrategy, type InitialStockStrategyName } from './service/initial-stock.js';
import { startReservationSweeper, type ReservationSweeper } from './service/sweeper.js';
import { settingsFromEnv, sweepIntervalFromEnv, type InventorySettings } from './settings.js';

export interface InventorySubgraphOptions {
  /** The inventory database; defaults to databaseUrl('inventory', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /**
   * A Prisma client to use instead of creating one; the caller keeps
   * ownership (stop() does not disconnect it). Tests pass one that counts
   * queries.
   */
  prisma?: InventoryPrisma;
  /** Start the outbox relay that publishes stock events to Kafka (default true). */
  relay?: boolean;
  /**
   * Consume product and order events (default true). `false` for tests that
   * call the handlers themselves; an object to override the group, brokers or
   * event registry (tests use per-run topics).
   */
  consumers?:
    | boolean
    | { group?: string; brokers?: string[]; registry?: EventRegistry<DomainEventDefinition>; fromBeginning?: boolean };
  /**
   * Feed the admin's stockLevelChanged subscription from stock.level_changed
   * (consumer group `inventory-live`, default true); an object overrides the
   * group, brokers or registry.
   */
  liveConsumer?: boolean | StockLiveConsumerOptions;
  /** Redis pub/sub for live stock levels (default: Redis at REDIS_URL). */
  live?: StockLive;
  /** Release expired reservations periodically (default true, every RESERVATION_SWEEP_INTERVAL_MS or 5 s). */
  sweeper?: boolean | { intervalMs?: number; batchSize?: number };
  /** How long a reservation holds stock; default RESERVATION_TTL_SECONDS or 900. */
  reservationTtlSeconds?: number;
  /** Units a new variant starts with; default INVENTORY_INITIAL_STOCK or 'zero'. */
  initialStock?: InitialStockStrategyName | InitialStockStrategy;
  /** Test seams (fault injection); none in production. */
  hooks?: InventoryHooks;
  logger?: Logger;
}

/** A running inventory subgraph's background parts, for tests and scripts. */
export interface InventoryRuntime {
  /** What the services receive outside a request (sweeper, consumers, tests). */
  serviceContext: InventoryServiceContext;
  /** The sweeper, once started (undefined when turned off). */
  sweeper: ReservationSweeper | undefined;
  /** Resolves when the consumers joined their group (undefined when turned off; a failed start is retried). */
  consumers: Promise<EventConsumer | undefined>;
  relay: Promise<OutboxRelay | undefined>;
  /** The live stock feed's consumer once started (undefined when turned off). */
  liveConsumer: Promise<EventConsumer | undefined>;
  live: StockLive;
}

/**
 * The inventory subgraph: stock per variant and warehouse, reservations for
 * orders (the checkout saga's stock step), and stock fields on the catalog's
 * ProductVariant and Product. Owns its Prisma client, outbox relay, event
 * consumers and reservation sweeper; `stop()` closes them all.
 */
export function inventorySubgraph(options: InventorySubgraphOptions = {}): SubgraphDefinition<InventoryContext> & {
  runtime: InventoryRuntime;
} {
  const url = options.databaseUrl ?? configuredDatabaseUrl('inventory', options.env);
  const prisma = options.prisma ?? createInventoryPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const logger = options.logger ?? createLogger({ service: 'inventory' });
  const fromEnv = settingsFromEnv();
  const initialStock =
    typeof options.initialStock === 'string' ? initialStockStrategy(options.initialStock) : (options.initialStock ?? fromEnv.initialStock);
  const settings: InventorySettings = {
    reservationTtlSeconds: options.reservationTtlSeconds ?? fromEnv.reservationTtlSeconds,
    initialStock,
  };
  const serviceContext: InventoryServiceContext = { prisma, logger, traceContext: {}, settings, hooks: options.hooks ?? {} };

  // Started with the definition: SubgraphDefinition has no start hook, and
  // the relay, consumers and sweeper must run as long as the subgraph does.
  const relay =
    (options.relay ?? true)
      ? startInBackground('inventory outbox relay', () => startOutboxRelay({ domain: 'inventory', databaseUrl: url, brokers: kafkaBrokers(), logger }), { logger })
      : undefined;

  const consumerOptions = options.consumers ?? true;
  const consumers =
    consumerOptions === false
      ? undefined
      : startInBackground(
          'inventory event consumers',
          () => startInventoryConsumers(serviceContext, { group: INVENTORY_CONSUMER_GROUP, logger, ...(consumerOptions === true ? {} : consumerOptions) }),
          { logger },
        );

  const live = options.live ?? new RedisStockLive(redisUrl());
  const liveOptions = options.liveConsumer ?? true;
  const liveConsumer =
    liveOptions === false
      ? undefined
      : startInBackground(
          'inventory live stock consumer',
          () => startStockLiveConsumer(serviceContext, live, { logger, ...(liveOptions === true ? {} : liveOptions) }),
          { logger },
        );

  let sweeper: ReservationSweeper | undefined;
  const sweeperOptions = options.sweeper ?? true;
  if (sweeperOptions !== false) {
    const overrides = sweeperOptions === true ? {} : sweeperOptions;
    sweeper = startReservationSweeper(serviceContext, {
      intervalMs: overrides.intervalMs ?? sweepIntervalFromEnv(),
      ...(overrides.batchSize ? { batchSize: overrides.batchSize } : {}),
    });
  }

  logger.info(
    { reservationTtlSeconds: settings.reservationTtlSeconds, initialStock: settings.initialStock.name },
    'inventory subgraph configured',
  );

  return {
    name: 'inventory',
    metrics: domainMetrics({ domain: 'inventory', databaseUrl: url, consumerGroups: ['inventory', 'inventory-live'] }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): InventoryContext => ({
      ...base,
      prisma,
      settings,
      hooks: serviceContext.hooks,
      loaders: createLoaders(prisma),
      live,
    }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async stop() {
      await sweeper?.stop();
      await consumers?.stop();
      await liveConsumer?.stop();
      if (!options.live) await live.close();
      await relay?.stop();
      if (ownsPrisma) await prisma.$disconnect();
    },
    runtime: {
      serviceContext,
      sweeper,
      consumers: consumers?.started ?? Promise.resolve(undefined),
      relay: relay?.started ?? Promise.resolve(undefined),
      liveConsumer: liveConsumer?.started ?? Promise.resolve(undefined),
      live,
    },
  };
}
