/**
 * The whole graph for end-to-end tests: users and catalog subgraphs and the
 * router, in this process, on ephemeral ports, against the `_test` databases,
 * with their outbox relays publishing to the real Kafka.
 */
import { databaseUrl } from '@commerce/config';
import { resetDatabase } from '@commerce/testing';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { createRouter, type RunningRouter } from '@commerce/router';
import { usersSubgraph } from '../../../subgraphs/users/src/index.ts';
import { catalogSubgraph } from '../../../subgraphs/catalog/src/index.ts';

export const E2E_ADMIN = { email: 'e2e-admin@example.test', password: 'e2e-admin-password-1' };

export interface Graph {
  routerUrl: string;
  users: RunningSubgraph;
  catalog: RunningSubgraph;
  router: RunningRouter;
  /** Stops the catalog subgraph (and with it its outbox relay) and starts a new one on the same port. */
  restartCatalog(between?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the graph on empty test databases, whatever earlier runs left in them. */
export async function startGraph(): Promise<Graph> {
  await Promise.all([resetDatabase(databaseUrl('users', 'test')), resetDatabase(databaseUrl('catalog', 'test'))]);
  const users = await startSubgraph(usersSubgraph({ databaseUrl: databaseUrl('users', 'test'), admin: E2E_ADMIN }), {
    port: 0,
  });
  let catalog = await startSubgraph(catalogSubgraph({ env: 'test' }), { port: 0 });
  const router = await createRouter({
    port: 0,
    watch: false,
    subgraphUrls: { users: users.url, catalog: catalog.url },
  });
  return {
    routerUrl: router.url,
    users,
    get catalog() {
      return catalog;
    },
    router,
    async restartCatalog(between) {
      const port = catalog.port;
      await catalog.stop();
      await between?.();
      catalog = await startSubgraph(catalogSubgraph({ env: 'test' }), { port });
    },
    async stop() {
      await router.stop();
      await Promise.all([users.stop(), catalog.stop()]);
    },
  };
}
