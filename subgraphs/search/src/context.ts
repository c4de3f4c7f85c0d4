import type { BaseContext } from '@commerce/subgraph-kit';
import type { SearchPrisma } from './data/prisma.js';
import type { SearchAggregates } from './data/search-queries.js';
import type { BrowseCache } from './service/browse-cache.js';

/**
 * The request context every search resolver and service receives: the kit's
 * identity, request id and logger, plus the read model's client. Services
 * take it as their first argument.
 */
export interface SearchContext extends BaseContext {
  prisma: SearchPrisma;
  /** Browse aggregates, shared by every request of this process. */
  browseCache: BrowseCache<SearchAggregates>;
}
