/**
 * The embedded provider behind `npm start` (PAYMENT_PROVIDER=local): its
 * documented test tokens, stable ids per idempotency key, and the saga
 * running on it end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { createProvider, LocalTestProvider, providerConfigFromEnv, StripeProvider } from '../src/service/providers/index.js';
import { events, newOrder, outboxTypes, paymentOf, saga, testPrisma, truncateAll } from './helpers.js';

const provider = new LocalTestProvider();
const authorize = (token: string, key = `pi-authorize-${token}`) =>
  provider.authorize({ orderId: 'o', amountMinor: 5000, currency: 'USD', paymentMethodToken: token, idempotencyKey: key });

describe('LocalTestProvider', () => {
  it.each(['pm_card_visa', 'pm_card_mastercard'])('authorizes %s', async (token) => {
    expect(await authorize(token)).toMatchObject({ outcome: 'authorized', amountMinor: 5000, providerPaymentId: expect.stringMatching(/^pi_local_/) });
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_unknown', 'invalid_payment_method'],
    ['tok_visa', 'invalid_payment_method'],
    ['toString', 'invalid_payment_method'],
    ['4242424242424242', 'invalid_payment_method'],
  ])('declines %s with %s', async (token, declineCode) => {
    expect(await authorize(token)).toMatchObject({ outcome: 'declined', declineCode, reason: expect.any(String) });
  });

  it('answers the same id for the same idempotency key, another for another key', async () => {
    const a = await authorize('pm_card_visa', 'pi-authorize-1');
    const b = await authorize('pm_card_visa', 'pi-authorize-1');
    const c = await authorize('pm_card_visa', 'pi-authorize-2');
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const refund = { orderId: 'o', refundRequestId: 'r', providerPaymentId: 'pi', amountMinor: 10, currency: 'USD' };
    expect(await provider.refund({ ...refund, idempotencyKey: 'refund-r' })).toEqual(await provider.refund({ ...refund, idempotencyKey: 'refund-r' }));
  });

  it('is the default; PAYMENT_PROVIDER=stripe needs a secret key and honours the host override', () => {
    expect(providerConfigFromEnv({})).toEqual({ kind: 'local' });
    expect(createProvider(providerConfigFromEnv({ PAYMENT_PROVIDER: 'local' }))).toBeInstanceOf(LocalTestProvider);
    expect(() => providerConfigFromEnv({ PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => providerConfigFromEnv({ PAYMENT_PROVIDER: 'paypal' })).toThrow(/local or stripe/);
    const config = providerConfigFromEnv({
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: '12111',
      STRIPE_API_PROTOCOL: 'http',
    });
    expect(config).toEqual({ kind: 'stripe', secretKey: 'sk_test_x', host: '127.0.0.1', port: 12111, protocol: 'http' });
    const stripe = createProvider(config) as StripeProvider;
    expect(stripe).toBeInstanceOf(StripeProvider);
    expect(stripe.stripe.getApiField('host')).toBe('127.0.0.1');
    // No override: Stripe itself.
    const real = createProvider(providerConfigFromEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_x' })) as StripeProvider;
    expect(real.stripe.getApiField('host')).toBe('api.stripe.com');
    expect(real.stripe.getApiField('protocol')).toBe('https');
  });
});

describe('the saga on the local provider', () => {
  let db: PaymentsPrisma;
  beforeAll(async () => {
    db = testPrisma();
    await truncateAll(db);
  });
  afterAll(async () => {
    if (db) await truncateAll(db);
    await db?.$disconnect();
  });

  it('authorizes, captures, refunds and fails like with Stripe', async () => {
    const flow = saga(db, provider);
    const order = newOrder();
    for (const event of [events.orderPlaced(order), events.stockReserved(order), events.orderConfirmed(order), events.refundRequested(order, 5000)]) {
      await flow.deliver(event);
    }
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'REFUNDED', provider: 'local', capturedMinor: 5000, refundedMinor: 5000 });
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured', 'payment.refunded']);

    const declined = newOrder({ token: 'pm_card_chargeDeclined' });
    await flow.deliver(events.stockReserved(declined));
    await flow.deliver(events.orderPlaced(declined));
    expect(await paymentOf(db, declined.orderId)).toMatchObject({ status: 'FAILED', declineCode: 'card_declined' });

    // A payment stays with its gateway: another provider refuses to capture it (the event goes to retries, then the DLQ).
    const elsewhere = newOrder();
    await flow.deliver(events.orderPlaced(elsewhere));
    await flow.deliver(events.stockReserved(elsewhere));
    const other = { ...provider, name: 'stripe', capture: provider.capture, void: provider.void, refund: provider.refund, authorize: provider.authorize };
    await expect(saga(db, other).deliver(events.orderConfirmed(elsewhere))).rejects.toThrow(/belongs to provider local/);
    expect(await paymentOf(db, elsewhere.orderId)).toMatchObject({ status: 'AUTHORIZED', provider: 'local' });

    const free = newOrder({ totalMinor: 0 });
    await flow.deliver(events.orderPlaced(free));
    await flow.deliver(events.stockReserved(free));
    await flow.deliver(events.orderConfirmed(free));
    expect(await paymentOf(db, free.orderId)).toMatchObject({ status: 'CAPTURED', capturedMinor: 0, providerPaymentId: null });
  });
});
