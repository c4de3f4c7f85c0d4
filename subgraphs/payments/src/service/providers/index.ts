/**
 * Which provider a payments process uses: PAYMENT_PROVIDER=local (default,
 * no network) or stripe (STRIPE_SECRET_KEY, optionally STRIPE_API_HOST/PORT/
 * PROTOCOL to point at the mock).
 */
import { LocalTestProvider } from './local-test-provider.js';
import type { PaymentProvider } from './payment-provider.js';
import { StripeProvider, stripeConfigFromEnv, type StripeProviderConfig } from './stripe-provider.js';

export type ProviderConfig = { kind: 'local' } | ({ kind: 'stripe' } & StripeProviderConfig);

export function providerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const kind = (env.PAYMENT_PROVIDER || 'local').toLowerCase();
  if (kind === 'local') return { kind: 'local' };
  if (kind === 'stripe') return { kind: 'stripe', ...stripeConfigFromEnv(env) };
  throw new Error(`PAYMENT_PROVIDER must be local or stripe, got "${kind}"`);
}

export function createProvider(config: ProviderConfig): PaymentProvider {
  if (config.kind === 'local') return new LocalTestProvider();
  const { kind: _kind, ...stripe } = config;
  return new StripeProvider(stripe);
}

export * from './payment-provider.js';
export { LocalTestProvider, LOCAL_TEST_TOKENS } from './local-test-provider.js';
export { StripeProvider, stripeConfigFromEnv, declineCodeOf, type StripeProviderConfig } from './stripe-provider.js';
