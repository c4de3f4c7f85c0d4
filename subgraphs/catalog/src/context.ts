import type { BaseContext } from '@commerce/subgraph-kit';
import type { CatalogLoaders } from './data/loaders.js';
import type { CatalogPrisma } from './data/prisma.js';

/**
 * The request context every catalog resolver and service receives: the
 * kit's identity, request id and logger, plus this request's DataLoaders.
 * Services take it as their first argument, so identity and database access
 * are never ambient.
 */
export interface CatalogContext extends BaseContext {
  prisma: CatalogPrisma;
  loaders: CatalogLoaders;
}
