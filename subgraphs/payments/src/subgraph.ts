import Stripe from 'stripe';
import { type AppEnv, databaseUrl as configuredDatabaseUrl, kafkaBrokers, readEnv } from '@commerce/config';
import { startInBackground, startOutboxRelay } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type RouteHandler, type SubgraphDefinition } from '@commerce/subgraph-kit';
import type { PaymentsContext } from './context.js';
import { createLoaders } from './data/loaders.js';
import { createPaymentsPrisma, type PaymentsPrisma } from './data/prisma.js';
import { startPaymentsConsumer } from './events/consumer.js';
import { paymentsLogger } from './logging.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import {
  createProvider,
  providerConfigFromEnv,
  StripeProvider,
  type PaymentProvider,
  type ProviderConfig,
} from './service/providers/index.js';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoute } from './webhooks/stripe-webhook.js';

export interface PaymentsConsumerSettings {
  /** Consumer group; default 'payments'. Tests use a fresh one. */
  group?: string;
  /** Whether a new group starts at the oldest retained message; unset, startConsumer's default (KAFKA_CONSUMER_FROM_BEGINNING, else true). */
  fromBeginning?: boolean;
  /** Handler attempts before dead-lettering (default 5). */
  maxAttempts?: number;
}

export interface PaymentsSubgraphOptions {
  /** The payments database; defaults to databaseUrl('payments', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /** A Prisma client to use instead of creating one; the caller keeps ownership. */
  prisma?: PaymentsPrisma;
  /**
   * The gateway: an instance, or a config ({ kind: 'local' } or
   * { kind: 'stripe', secretKey, host?, port?, protocol? }). Default: from
   * PAYMENT_PROVIDER (local unless set to stripe) and STRIPE_* variables.
   */
  provider?: PaymentProvider | ProviderConfig;
  /**
   * Stripe's webhook signing secret; default STRIPE_WEBHOOK_SECRET. POST
   * /webhooks/stripe is served only when one is set.
   */
  webhookSecret?: string;
  /** Start the outbox relay that publishes payment events to Kafka (default true). */
  relay?: boolean;
  /** Consume the saga's order and stock events (default true). Tests that call handlers directly turn it off. */
  consumers?: boolean | PaymentsConsumerSettings;
  logger?: Logger;
}

const isProvider = (value: PaymentProvider | ProviderConfig): value is PaymentProvider =>
  typeof (value as PaymentProvider).authorize === 'function';

/**
 * The payments subgraph: one payment per order, driven by the checkout saga
 * over Kafka; GraphQL reads (Order.payment, admin Query.payment); Stripe's
 * webhooks on POST /webhooks/stripe. Owns its Prisma client, outbox relay and
 * consumer; `stop()` closes them.
 */
export function paymentsSubgraph(options: PaymentsSubgraphOptions = {}): SubgraphDefinition<PaymentsContext> {
  const url = options.databaseUrl ?? configuredDatabaseUrl('payments', options.env);
  const prisma = options.prisma ?? createPaymentsPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const logger = paymentsLogger(options.logger ?? createLogger({ service: 'payments' }));
  const providerOption = options.provider ?? providerConfigFromEnv();
  const provider = isProvider(providerOption) ? providerOption : createProvider(providerOption);

  // Started with the definition (SubgraphDefinition has no start hook); a failure is logged and /ready still answers.
  const relay =
    (options.relay ?? true)
      ? startInBackground('payments outbox relay', () => startOutboxRelay({ domain: 'payments', databaseUrl: url, brokers: kafkaBrokers(), logger }), { logger })
      : undefined;
  const settings = typeof options.consumers === 'object' ? options.consumers : {};
  const consumer =
    (options.consumers ?? true)
      ? startInBackground('payments consumer', () => startPaymentsConsumer({ prisma, provider, logger, ...settings }), { logger })
      : undefined;

  const routes: Record<string, RouteHandler> = {};
  const webhookSecret = options.webhookSecret ?? readEnv('STRIPE_WEBHOOK_SECRET');
  if (webhookSecret) {
    // Verification is local (HMAC); it needs a client object, not a working API key.
    const stripe =
      provider instanceof StripeProvider ? provider.stripe : new Stripe(readEnv('STRIPE_SECRET_KEY') ?? 'sk_test_webhook_verification_only');
    routes[STRIPE_WEBHOOK_PATH] = stripeWebhookRoute({ prisma, provider, logger, webhookSecret, stripe });
  }

  return {
    name: 'payments',
    metrics: domainMetrics({ domain: 'payments', databaseUrl: url, consumerGroups: ['payments'] }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    routes,
    createContext: (base: BaseContext): PaymentsContext => ({ ...base, prisma, loaders: createLoaders(prisma) }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async stop() {
      await consumer?.stop();
      await relay?.stop();
      if (ownsPrisma) await prisma.$disconnect();
    },
  };
}
