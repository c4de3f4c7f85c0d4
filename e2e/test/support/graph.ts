/**
 * The whole graph for end-to-end tests: every subgraph and the router, in this
 * process, on ephemeral ports, against the `_test` databases, with outbox
 * relays and consumers on the real Kafka. Payments uses the real `stripe`
 * client pointed at the local Stripe mock (the one thing not reachable here).
 */
import { randomUUID } from 'node:crypto';
import { type Domain, databaseUrl } from '@commerce/config';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { createRouter, type RunningRouter } from '@commerce/router';
import { kafkaGroupId } from '@commerce/events';
import { resetDatabase, waitForConsumerGroups } from '@commerce/testing';
import { startStripeMock, type StripeMock } from '@commerce/stripe-mock';
import { usersSubgraph } from '../../../subgraphs/users/src/index.ts';
import { catalogSubgraph } from '../../../subgraphs/catalog/src/index.ts';
import { cartSubgraph } from '../../../subgraphs/cart/src/index.ts';
import { ordersSubgraph } from '../../../subgraphs/orders/src/index.ts';
import { paymentsSubgraph, STRIPE_WEBHOOK_PATH } from '../../../subgraphs/payments/src/index.ts';
import { inventorySubgraph } from '../../../subgraphs/inventory/src/index.ts';
import { searchSubgraph } from '../../../subgraphs/search/src/index.ts';

export const E2E_ADMIN = { email: 'e2e-admin@example.test', password: 'e2e-admin-password-1' };
const WEBHOOK_SECRET = 'whsec_e2e_local_only';
const GRAPH_DOMAINS = ['users', 'catalog', 'cart', 'orders', 'payments', 'inventory', 'search'] as const satisfies readonly Domain[];
type GraphDomain = (typeof GRAPH_DOMAINS)[number];
/** Consumer groups of the subgraphs above (each subgraph's default group name). */
const CONSUMER_GROUPS = ['cart', 'orders', 'payments', 'inventory', 'search'];
/** Reference rows seeded by migrations; a reset keeps them. */
const REFERENCE_TABLES: Partial<Record<GraphDomain, string[]>> = {
  cart: ['discount_codes', 'discount_code_amounts'],
  inventory: ['warehouses'],
};

export interface Graph {
  routerUrl: string;
  router: RunningRouter;
  stripe: StripeMock;
  subgraph(name: GraphDomain): RunningSubgraph;
  /** Stops one subgraph (and with it its relay and consumers) and starts a new one on the same port. */
  restart(name: GraphDomain, between?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface GraphOptions {
  /** Reservation time to live for inventory, in seconds (default: inventory's own). */
  reservationTtlSeconds?: number;
}

/** Starts the graph on empty test databases, whatever earlier runs left in them. */
export async function startGraph(options: GraphOptions = {}): Promise<Graph> {
  await Promise.all(GRAPH_DOMAINS.map((domain) => resetDatabase(databaseUrl(domain, 'test'), REFERENCE_TABLES[domain])));
  // Fresh databases: events of earlier runs mean nothing to them. Each graph
  // gets consumer groups of its own that start at the end of their topics.
  process.env.KAFKA_GROUP_PREFIX = `test-${randomUUID().slice(0, 8)}.`;
  process.env.KAFKA_CONSUMER_FROM_BEGINNING = 'false';
  const stripe = await startStripeMock({ webhookSecret: WEBHOOK_SECRET });
  // Redis keys of this run only, so a test never sees (or flushes) anyone else's carts.
  const cartKeyPrefix = `e2e:${randomUUID().slice(0, 8)}:cart:`;

  const factories: Record<GraphDomain, () => Parameters<typeof startSubgraph>[0]> = {
    users: () => usersSubgraph({ databaseUrl: databaseUrl('users', 'test'), admin: E2E_ADMIN }),
    catalog: () => catalogSubgraph({ env: 'test' }),
    cart: () => cartSubgraph({ env: 'test', keyPrefix: cartKeyPrefix, consumerFromBeginning: false }),
    orders: () => ordersSubgraph({ env: 'test', cartUrl: running.cart.url }),
    payments: () =>
      paymentsSubgraph({
        env: 'test',
        provider: { kind: 'stripe', secretKey: 'sk_test_e2e', host: stripe.host, port: stripe.port, protocol: 'http' },
        webhookSecret: WEBHOOK_SECRET,
        consumers: { fromBeginning: false },
      }),
    inventory: () =>
      inventorySubgraph({
        env: 'test',
        sweeper: { intervalMs: 500 },
        consumers: { fromBeginning: false },
        ...(options.reservationTtlSeconds ? { reservationTtlSeconds: options.reservationTtlSeconds } : {}),
      }),
    search: () => searchSubgraph({ env: 'test', consumer: { fromBeginning: false } }),
  };

  const running = {} as Record<GraphDomain, RunningSubgraph>;
  // Cart first: orders needs its URL.
  for (const name of GRAPH_DOMAINS) running[name] = await startSubgraph(factories[name](), { port: 0 });
  stripe.setWebhookUrl(running.payments.url.replace(/\/graphql$/, STRIPE_WEBHOOK_PATH));
  await waitForConsumerGroups(CONSUMER_GROUPS.map(kafkaGroupId));

  const router = await createRouter({
    port: 0,
    watch: false,
    subgraphUrls: Object.fromEntries(GRAPH_DOMAINS.map((name) => [name, running[name].url])),
  });
  return {
    routerUrl: router.url,
    router,
    stripe,
    subgraph: (name) => running[name],
    async restart(name, between) {
      const port = running[name].port;
      await running[name].stop();
      await between?.();
      running[name] = await startSubgraph(factories[name](), { port });
    },
    async stop() {
      await router.stop();
      await Promise.all(GRAPH_DOMAINS.map((name) => running[name].stop()));
      await stripe.stop();
    },
  };
}
