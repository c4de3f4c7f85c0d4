import type { BaseContext } from '@commerce/subgraph-kit';
import type { CatalogLoaders } from './data/loaders.js';
import type { CatalogPrisma } from './data/prisma.js';
import type { CatalogSql } from './data/sql.js';

/**
 * The request context every catalog resolver and service receives: the
 * kit's identity, request id and logger, the database (Prisma for writes, the
 * read path's SQL client for reads), plus this request's DataLoaders.
 * Services take it as their first argument, so identity and database access
 * are never ambient.
 */
export interface CatalogContext extends BaseContext {
  prisma: CatalogPrisma;
  sql: CatalogSql;
  loaders: CatalogLoaders;
}
