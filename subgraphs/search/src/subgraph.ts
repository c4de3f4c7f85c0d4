import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers } from '@commerce/config';
import { startInBackground } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import type { SearchContext } from './context.js';
import { createSearchPrisma, type SearchPrisma } from './data/prisma.js';
import { startSearchConsumer } from './events/consumer.js';
import type { SearchAggregates } from './data/search-queries.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { SearchReplica, type SearchReplicaOptions } from './replica/replica.js';
import { BrowseCache } from './service/browse-cache.js';

export interface SearchConsumerSettings {
  /** Consumer group; defaults to 'search'. */
  group?: string;
  /** Where a new group starts (default true: from the oldest retained event). */
  fromBeginning?: boolean;
}

export interface SearchSubgraphOptions {
  /** The search database; defaults to databaseUrl('search', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /**
   * Consume product and stock events into the read model (default true).
   * Tests that index directly turn it off, so they need no Kafka.
   */
  consumer?: boolean | SearchConsumerSettings;
  /** A Prisma client to use instead of creating one; the caller keeps ownership. */
  prisma?: SearchPrisma;
  /**
   * How long browse (no text) totals and facets are cached when they come
   * from PostgreSQL (replica off); 0 turns the cache off. Default 1 s.
   */
  browseCacheTtlMs?: number;
  /**
   * Answer from an in-process replica of the read model (default true):
   * searches, facets and suggestions in memory, as fresh as PostgreSQL.
   * `maxStalenessMs` lets a search skip the change check when the last one
   * is that recent. false: every search is SQL (and the browse cache applies).
   */
  replica?: boolean | Pick<SearchReplicaOptions, 'maxStalenessMs'>;
  logger?: Logger;
}

/**
 * The search subgraph: full-text product search, facets and suggestions over
 * its own read model, fed by the catalog's and inventory's events, answered
 * from an in-process replica of it (src/replica/). Owns its Prisma client,
 * replica and event consumer; `stop()` closes them.
 */
export function searchSubgraph(options: SearchSubgraphOptions = {}): SubgraphDefinition<SearchContext> {
  const url = options.databaseUrl ?? configuredDatabaseUrl('search', options.env);
  const prisma = options.prisma ?? createSearchPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const logger = options.logger ?? createLogger({ service: 'search' });
  const browseCache = new BrowseCache<SearchAggregates>({ ttlMs: options.browseCacheTtlMs });
  const replicaSettings = options.replica ?? true;
  const replica =
    replicaSettings === false
      ? undefined
      : new SearchReplica({ databaseUrl: url, logger, ...(replicaSettings === true ? {} : replicaSettings) });

  // Started with the definition (SubgraphDefinition has no start hook); the
  // server answers from the read model while the consumer catches up.
  const settings = options.consumer ?? true;
  const { group, fromBeginning } = settings === true || settings === false ? {} : settings;
  const consumer =
    settings === false
      ? undefined
      : startInBackground('search event consumer', () => startSearchConsumer({ prisma, group, fromBeginning, brokers: kafkaBrokers(), logger }), { logger });

  return {
    name: 'search',
    metrics: domainMetrics({ domain: 'search', databaseUrl: url, consumerGroups: ['search'] }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): SearchContext => ({ ...base, prisma, browseCache, ...(replica ? { replica } : {}) }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
      // Ready once the replica is loaded: the first searches do not wait for it.
      await replica?.ready();
    },
    async stop() {
      await consumer?.stop();
      await replica?.stop();
      if (ownsPrisma) await prisma.$disconnect();
    },
  };
}
