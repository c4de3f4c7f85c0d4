import { appEnv, databaseUrl as defaultDatabaseUrl, readEnv } from '@commerce/config';
import { startInBackground, startOutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type SubgraphDefinition } from '@commerce/subgraph-kit';
import { systemContext, type UsersContext } from './context.js';
import { createLoaders } from './data/loaders.js';
import { createPrismaClient, type UsersDb } from './data/prisma.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { adminCredentialsFromEnv, ensureAdmin, type AdminCredentials } from './service/auth.service.js';

export interface UsersSubgraphOptions {
  /** The users database; default `databaseUrl('users')` for the current APP_ENV. */
  databaseUrl?: string;
  /** A client to use instead of creating one (tests count its queries). The caller disconnects it. */
  db?: UsersDb;
  /** Publish the outbox to Kafka. Default true; tests that need no Kafka pass false. */
  relay?: boolean;
  /**
   * Create or promote this administrator at start-up (see `ensureAdmin`). By
   * default: ADMIN_EMAIL/ADMIN_PASSWORD (or the documented dev pair) in
   * development; in test and production only when ADMIN_PASSWORD is set, so
   * a production deployment never gets the well-known dev password.
   */
  admin?: AdminCredentials | false;
  logger?: Logger;
}

function defaultAdmin(): AdminCredentials | false {
  if (appEnv() === 'development' || readEnv('ADMIN_PASSWORD') !== undefined) return adminCredentialsFromEnv();
  return false;
}

/**
 * The users subgraph: accounts, sessions and address books. Building the
 * definition starts its background work (outbox relay, admin bootstrap);
 * `stop()` ends it and closes the database client.
 */
export function usersSubgraph(options: UsersSubgraphOptions = {}): SubgraphDefinition<UsersContext> {
  const logger = options.logger ?? createLogger({ service: 'users' });
  const url = options.databaseUrl ?? defaultDatabaseUrl('users');
  const db = options.db ?? createPrismaClient(url);

  // A failure to start must not take the API down with it: events wait in
  // the outbox, and the start is retried until a relay publishes them.
  const relay =
    options.relay === false ? undefined : startInBackground('users outbox relay', () => startOutboxRelay({ domain: 'users', databaseUrl: url, logger }), { logger });

  const admin = options.admin ?? defaultAdmin();
  const bootstrap: Promise<void> = admin
    ? ensureAdmin(systemContext(db, logger), admin).then(
        (user) => logger.info({ userId: user.id, email: user.email }, 'administrator ready'),
        (error: unknown) => logger.error({ err: error }, 'could not create the administrator'),
      )
    : Promise.resolve();

  return {
    name: 'users',
    metrics: domainMetrics({ domain: 'users', databaseUrl: url }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base) => ({ ...base, db, loaders: createLoaders(db) }),
    async ready() {
      await db.$queryRaw`SELECT 1`;
    },
    async stop() {
      await bootstrap;
      await relay?.stop();
      if (!options.db) await db.$disconnect();
    },
  };
}
