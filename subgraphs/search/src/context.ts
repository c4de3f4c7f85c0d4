import type { BaseContext } from '@commerce/subgraph-kit';
import type { SearchPrisma } from './data/prisma.js';
import type { SearchAggregates } from './data/search-queries.js';
import type { SearchReplica } from './replica/replica.js';
import type { BrowseCache } from './service/browse-cache.js';

/**
 * The request context every search resolver and service receives: the kit's
 * identity, request id and logger, plus the read model's client. Services
 * take it as their first argument.
 */
export interface SearchContext extends BaseContext {
  prisma: SearchPrisma;
  /** Browse aggregates, shared by every request of this process (the PostgreSQL path only). */
  browseCache: BrowseCache<SearchAggregates>;
  /** The read model in memory: searches and suggestions are answered from it when present. */
  replica?: SearchReplica;
}
