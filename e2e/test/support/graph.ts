/**
 * The whole graph for end-to-end tests: every subgraph and the router, in this
 * process, on ephemeral ports, against the `_test` databases, with outbox
 * relays and consumers on the real Kafka. Payments uses the real `stripe`
 * client pointed at the local Stripe mock (the one thing not reachable here).
 * With `notifications`, the notifications subgraph joins, sending email over
 * SMTP to a local sink on an ephemeral port (the browser tests read it).
 */
import { randomUUID } from 'node:crypto';
import { type Domain, databaseUrl } from '@commerce/config';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { createRouter, type RouterOptions, type RunningRouter } from '@commerce/router';
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
import { notificationsSubgraph, startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../subgraphs/notifications/src/index.ts';

export const E2E_ADMIN = { email: 'e2e-admin@example.test', password: 'e2e-admin-password-1' };
const WEBHOOK_SECRET = 'whsec_e2e_local_only';
const GRAPH_DOMAINS = ['users', 'catalog', 'cart', 'orders', 'payments', 'inventory', 'search', 'notifications'] as const satisfies readonly Domain[];
export type GraphDomain = (typeof GRAPH_DOMAINS)[number];
/** Consumer groups of the subgraphs (each subgraph's default group name). */
const CONSUMER_GROUPS: Partial<Record<GraphDomain, string>> = {
  cart: 'cart',
  orders: 'orders',
  payments: 'payments',
  inventory: 'inventory',
  search: 'search',
  notifications: 'notifications',
};
/** Reference rows seeded by migrations; a reset keeps them. */
const REFERENCE_TABLES: Partial<Record<GraphDomain, string[]>> = {
  cart: ['discount_codes', 'discount_code_amounts'],
  inventory: ['warehouses'],
};

export interface Graph {
  routerUrl: string;
  router: RunningRouter;
  stripe: StripeMock;
  /** The local SMTP server notifications sends to (only with `notifications`). */
  smtp: SmtpSink | undefined;
  subgraph(name: GraphDomain): RunningSubgraph;
  /** Stops one subgraph (and with it its relay and consumers) and starts a new one on the same port. */
  restart(name: GraphDomain, between?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface GraphOptions {
  /** Reservation time to live for inventory, in seconds (default: inventory's own). */
  reservationTtlSeconds?: number;
  /**
   * Also run the notifications subgraph, with email going to a local SMTP sink
   * on an ephemeral port of 127.0.0.1 (default: not started).
   */
  notifications?: {
    /** Base of the links in emails (the storefront under test). */
    storefrontUrl?: string;
    /** Also saves each message the sink receives as `<n>.eml` here. */
    saveDir?: string;
    onMail?(mail: ReceivedMail): void;
  };
  /** Inventory's stock for products it hears of: 'demo' stocks them (default: inventory's own, zero). */
  initialStock?: 'zero' | 'demo';
  /** Extra router settings, e.g. `{ responseCache: {…} }`. */
  router?: Partial<RouterOptions>;
}

/** Starts the graph on empty test databases, whatever earlier runs left in them. */
export async function startGraph(options: GraphOptions = {}): Promise<Graph> {
  const domains = GRAPH_DOMAINS.filter((domain) => domain !== 'notifications' || options.notifications !== undefined);
  await Promise.all(domains.map((domain) => resetDatabase(databaseUrl(domain, 'test'), REFERENCE_TABLES[domain])));
  // Fresh databases: events of earlier runs mean nothing to them. Each graph
  // gets consumer groups of its own that start at the end of their topics.
  process.env.KAFKA_GROUP_PREFIX = `test-${randomUUID().slice(0, 8)}.`;
  process.env.KAFKA_CONSUMER_FROM_BEGINNING = 'false';
  const stripe = await startStripeMock({ webhookSecret: WEBHOOK_SECRET });
  // Redis keys of this run only, so a test never sees (or flushes) anyone else's carts.
  const cartKeyPrefix = `e2e:${randomUUID().slice(0, 8)}:cart:`;
  const mail = options.notifications;
  const smtp = mail
    ? await startSmtpSink({
        port: 0,
        ...(mail.saveDir ? { saveDir: mail.saveDir } : {}),
        ...(mail.onMail ? { onMessage: mail.onMail } : {}),
      })
    : undefined;

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
        ...(options.initialStock ? { initialStock: options.initialStock } : {}),
      }),
    search: () => searchSubgraph({ env: 'test', consumer: { fromBeginning: false } }),
    notifications: () =>
      notificationsSubgraph({
        env: 'test',
        fromBeginning: false,
        ...(smtp ? { smtp: { host: smtp.host, port: smtp.port, secure: false, timeoutMs: 5_000 } } : {}),
        ...(mail?.storefrontUrl ? { storefrontUrl: mail.storefrontUrl } : {}),
        // Emails go out within a second; a failed send retries soon rather than after a minute.
        dispatcher: { pollIntervalMs: 200, backoffInitialMs: 1_000, backoffMaxMs: 5_000 },
      }),
  };

  const running = {} as Record<GraphDomain, RunningSubgraph>;
  // Cart first: orders needs its URL.
  for (const name of domains) running[name] = await startSubgraph(factories[name](), { port: 0 });
  stripe.setWebhookUrl(running.payments.url.replace(/\/graphql$/, STRIPE_WEBHOOK_PATH));
  await waitForConsumerGroups(domains.flatMap((name) => CONSUMER_GROUPS[name] ?? []).map(kafkaGroupId));

  const router = await createRouter({
    port: 0,
    watch: false,
    subgraphUrls: Object.fromEntries(domains.map((name) => [name, running[name].url])),
    ...options.router,
  });
  return {
    routerUrl: router.url,
    router,
    stripe,
    smtp,
    subgraph: (name) => running[name],
    async restart(name, between) {
      const port = running[name].port;
      await running[name].stop();
      await between?.();
      running[name] = await startSubgraph(factories[name](), { port });
    },
    async stop() {
      await router.stop();
      await Promise.all(domains.map((name) => running[name].stop()));
      await stripe.stop();
      await smtp?.close();
    },
  };
}
