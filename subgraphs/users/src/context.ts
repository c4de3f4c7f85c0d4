import type { BaseContext } from '@commerce/subgraph-kit';
import type { UsersDb } from './data/prisma.js';
import { createLoaders, type UsersLoaders } from './data/loaders.js';

/** What every resolver and service of this subgraph receives. */
export interface UsersContext extends BaseContext {
  db: UsersDb;
  loaders: UsersLoaders;
}

/**
 * The part of the context services use. Scripts and tests that act outside an
 * HTTP request (creating an admin) build one with `systemContext`, which has
 * no caller and so no trace context to stamp on events.
 */
export type ServiceContext = Pick<UsersContext, 'db' | 'loaders' | 'identity' | 'logger' | 'traceContext'>;

export function systemContext(db: UsersDb, logger: BaseContext['logger']): ServiceContext {
  return { db, loaders: createLoaders(db), identity: null, logger, traceContext: {} };
}
