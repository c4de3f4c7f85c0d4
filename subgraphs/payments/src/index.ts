export { paymentsSubgraph, type PaymentsSubgraphOptions, type PaymentsConsumerSettings } from './subgraph.js';
export {
  createProvider,
  providerConfigFromEnv,
  LocalTestProvider,
  LOCAL_TEST_TOKENS,
  StripeProvider,
  type PaymentProvider,
  type ProviderConfig,
} from './service/providers/index.js';
export { STRIPE_WEBHOOK_PATH } from './webhooks/stripe-webhook.js';
