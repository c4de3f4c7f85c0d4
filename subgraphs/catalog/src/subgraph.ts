import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers } from '@commerce/config';
import { startInBackground, startOutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import type { CatalogContext } from './context.js';
import { createLoaders } from './data/loaders.js';
import { openCatalogDatabase, type CatalogDatabase } from './data/prisma.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';

export interface CatalogSubgraphOptions {
  /** The catalog database; defaults to databaseUrl('catalog', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /**
   * Start the outbox relay that publishes this subgraph's events to Kafka
   * (default true). Tests that look only at outbox rows turn it off, so they
   * need no Kafka.
   */
  relay?: boolean;
  /**
   * The database to use instead of opening one; the caller keeps ownership
   * (stop() does not close it). Tests pass one that counts statements.
   */
  database?: CatalogDatabase;
  logger?: Logger;
}

/**
 * The catalog subgraph: products, variants, prices, categories and reviews.
 * Owns its Prisma client and outbox relay; `stop()` closes both.
 */
export function catalogSubgraph(options: CatalogSubgraphOptions = {}): SubgraphDefinition<CatalogContext> {
  const url = options.databaseUrl ?? configuredDatabaseUrl('catalog', options.env);
  const database = options.database ?? openCatalogDatabase({ databaseUrl: url });
  const ownsDatabase = options.database === undefined;
  const { prisma, sql } = database;
  const logger = options.logger ?? createLogger({ service: 'catalog' });

  // Started with the definition: SubgraphDefinition has no start hook, and
  // the relay must run for as long as the subgraph may write events.
  const relay =
    (options.relay ?? true)
      ? startInBackground('catalog outbox relay', () => startOutboxRelay({ domain: 'catalog', databaseUrl: url, brokers: kafkaBrokers(), logger }), { logger })
      : undefined;

  return {
    name: 'catalog',
    metrics: domainMetrics({ domain: 'catalog', databaseUrl: url }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): CatalogContext => ({ ...base, prisma, sql, loaders: createLoaders(sql) }),
    async ready() {
      await sql.rows('SELECT 1', []);
    },
    async stop() {
      await relay?.stop();
      if (ownsDatabase) await database.close();
    },
  };
}
