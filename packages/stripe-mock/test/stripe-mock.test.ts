/**
 * The mock, driven by the real `stripe` library: what the payments subgraph's
 * StripeProvider relies on must behave as stripe-node expects from Stripe.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeForm, startStripeMock, type StripeEvent, type StripeMock } from '../src/index.js';

const SECRET = 'whsec_test_secret_for_mock';
let mock: StripeMock;
let stripe: Stripe;

// A webhook receiver that verifies with stripe-node, as a real endpoint would.
let receiver: Server;
let receiverUrl: string;
const received: { type: string; id: string; verified: boolean; error?: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      try {
        const event = stripe.webhooks.constructEvent(raw, req.headers['stripe-signature'] as string, SECRET);
        received.push({ type: event.type, id: event.id, verified: true });
        res.writeHead(200).end('{}');
      } catch (error) {
        const parsed = JSON.parse(raw.toString('utf8')) as StripeEvent;
        received.push({ type: parsed.type, id: parsed.id, verified: false, error: String(error) });
        res.writeHead(400).end('bad signature');
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  mock = await startStripeMock({ port: 0, webhookSecret: SECRET, webhookUrl: receiverUrl });
  stripe = new Stripe('sk_test_mock_123456789', { host: mock.host, port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await mock?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(async () => {
  await mock.flushWebhooks();
  mock.reset();
  received.length = 0;
});

const authorize = (paymentMethod: string, idempotencyKey?: string, amount = 5000) =>
  stripe.paymentIntents.create(
    {
      amount,
      currency: 'usd',
      capture_method: 'manual',
      confirm: true,
      payment_method: paymentMethod,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { order_id: 'order-1' },
    },
    idempotencyKey ? { idempotencyKey } : {},
  );

async function cardError(promise: Promise<unknown>): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected a Stripe error');
}

describe('PaymentIntents with manual capture', () => {
  it('authorizes, captures and reports the Stripe-shaped object', async () => {
    const intent = await authorize('pm_card_visa');
    expect(intent).toMatchObject({
      object: 'payment_intent',
      status: 'requires_capture',
      amount: 5000,
      amount_capturable: 5000,
      amount_received: 0,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      metadata: { order_id: 'order-1' },
    });
    expect(intent.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(intent.lastResponse.requestId).toMatch(/^req_/);

    const captured = await stripe.paymentIntents.capture(intent.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 5000, amount_capturable: 0 });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
    expect(mock.paymentIntents.map((pi) => pi.status)).toEqual(['succeeded']);
  });

  it('captures part of the authorization when asked', async () => {
    const intent = await authorize('pm_card_mastercard');
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3000 });
    const tooMuch = await cardError(stripe.paymentIntents.capture((await authorize('pm_card_visa')).id, { amount_to_capture: 9000 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.code).toBe('amount_too_large');
  });

  it('cancels (voids) an authorization', async () => {
    const intent = await authorize('pm_card_visa');
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0 });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
  });

  it('declines pm_card_chargeDeclined with a 402 card_error carrying the decline code and the PaymentIntent', async () => {
    const error = await cardError(authorize('pm_card_chargeDeclined'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.statusCode).toBe(402);
    expect(error.code).toBe('card_declined');
    expect(error.decline_code).toBe('generic_decline');
    expect(error.message).toBe('Your card was declined.');
    expect(error.payment_intent).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
    // The PaymentIntent exists, in requires_payment_method, as on Stripe.
    expect(mock.paymentIntents).toHaveLength(1);
    expect(mock.paymentIntents[0]!.status).toBe('requires_payment_method');
  });

  it('declines insufficient funds with decline_code insufficient_funds', async () => {
    const error = await cardError(authorize('pm_card_chargeDeclinedInsufficientFunds'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.decline_code).toBe('insufficient_funds');
    expect(error.message).toBe('Your card has insufficient funds.');
  });

  it('answers an unknown payment method with resource_missing on param payment_method', async () => {
    const error = await cardError(authorize('pm_card_doesNotExist'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ code: 'resource_missing', param: 'payment_method', statusCode: 400 });
    expect(mock.paymentIntents).toHaveLength(0);
  });

  it('refuses capture and cancel in the wrong status with 400 payment_intent_unexpected_state', async () => {
    const intent = await authorize('pm_card_visa');
    await stripe.paymentIntents.capture(intent.id);
    const again = await cardError(stripe.paymentIntents.capture(intent.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.statusCode).toBe(400);
    expect(again.code).toBe('payment_intent_unexpected_state');
    expect(again.message).toMatch(/status of succeeded/);
    const cancel = await cardError(stripe.paymentIntents.cancel(intent.id));
    expect(cancel.code).toBe('payment_intent_unexpected_state');

    const voided = await authorize('pm_card_visa');
    await stripe.paymentIntents.cancel(voided.id);
    expect((await cardError(stripe.paymentIntents.capture(voided.id))).message).toMatch(/status of canceled/);
  });

  it('answers an unknown PaymentIntent with 404 resource_missing', async () => {
    const error = await cardError(stripe.paymentIntents.retrieve('pi_missing'));
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('validates parameters like Stripe: missing, unknown, malformed', async () => {
    const missing = await cardError(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    const unknown = await cardError(
      stripe.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'blue' } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    const tooSmall = await cardError(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(tooSmall).toMatchObject({ code: 'amount_too_small' });
    // A server-side confirm with redirect-capable automatic payment methods needs a return_url, as on Stripe.
    const redirects = await cardError(
      stripe.paymentIntents.create({ amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' }),
    );
    expect(redirects).toMatchObject({ statusCode: 400, param: 'return_url' });
    expect(mock.paymentIntents).toHaveLength(0);
  });

  it('rejects requests without a test-mode secret key (401)', async () => {
    const anonymous = await fetch(`${mock.url}/v1/payment_intents/pi_x`);
    expect(anonymous.status).toBe(401);
    const live = new Stripe('sk_live_abcdefghijklmnop', { host: mock.host, port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
    const error = await cardError(live.paymentIntents.retrieve('pi_x'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.message).not.toContain('abcdefghijklmnop');
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored response for the same key and parameters, without a second PaymentIntent', async () => {
    const first = await authorize('pm_card_visa', 'pi-authorize-order-1');
    const second = await authorize('pm_card_visa', 'pi-authorize-order-1');
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(mock.paymentIntents).toHaveLength(1);
    expect(mock.requests.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      ['pi-authorize-order-1', false],
      ['pi-authorize-order-1', true],
    ]);
  });

  it('replays a decline as the same 402', async () => {
    const first = await cardError(authorize('pm_card_chargeDeclinedInsufficientFunds', 'pi-authorize-declined'));
    const second = await cardError(authorize('pm_card_chargeDeclinedInsufficientFunds', 'pi-authorize-declined'));
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.decline_code).toBe('insufficient_funds');
    expect((second.payment_intent as { id: string }).id).toBe((first.payment_intent as { id: string }).id);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(mock.paymentIntents).toHaveLength(1);
  });

  it('replays a capture instead of failing on the second call', async () => {
    const intent = await authorize('pm_card_visa');
    await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'pi-capture-order-1' });
    const replay = await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'pi-capture-order-1' });
    expect(replay.status).toBe('succeeded');
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with different parameters or another endpoint (400 idempotency_error)', async () => {
    await authorize('pm_card_visa', 'key-1', 5000);
    const changed = await cardError(authorize('pm_card_visa', 'key-1', 6000));
    expect(changed).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(changed.statusCode).toBe(400);
    expect(changed.message).toMatch(/same parameters/);
    const intent = mock.paymentIntents[0]!;
    const otherEndpoint = await cardError(stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: 'key-1' }));
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(mock.paymentIntents).toHaveLength(1);
  });

  it('does not save validation failures: the key can be used again once the request is valid', async () => {
    await cardError(authorize('pm_card_unknown', 'key-2'));
    const intent = await authorize('pm_card_visa', 'key-2');
    expect(intent.status).toBe('requires_capture');
  });

  it('scopes keys per API key', async () => {
    const other = new Stripe('sk_test_other_account', { host: mock.host, port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
    const mine = await authorize('pm_card_visa', 'shared-key');
    const theirs = await other.paymentIntents.create(
      { amount: 5000, currency: 'usd', capture_method: 'manual', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] },
      { idempotencyKey: 'shared-key' },
    );
    expect(theirs.id).not.toBe(mine.id);
  });
});

describe('refunds', () => {
  it('refunds partially and cumulatively, never beyond what was captured', async () => {
    const intent = await authorize('pm_card_visa');
    await stripe.paymentIntents.capture(intent.id);
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 2000, metadata: { refund_request_id: 'r1' } });
    expect(first).toMatchObject({ object: 'refund', status: 'succeeded', amount: 2000, payment_intent: intent.id, currency: 'usd' });
    expect(first.id).toMatch(/^re_/);
    const tooMuch = await cardError(stripe.refunds.create({ payment_intent: intent.id, amount: 3001 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(3000);
    const charge = mock.charges.find((c) => c.payment_intent === intent.id)!;
    expect(charge).toMatchObject({ amount_refunded: 5000, refunded: true });
    const again = await cardError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }));
    expect(again.code).toBe('charge_already_refunded');
    expect((await stripe.refunds.retrieve(first.id)).amount).toBe(2000);
  });

  it('refuses to refund an uncaptured PaymentIntent', async () => {
    const intent = await authorize('pm_card_visa');
    const error = await cardError(stripe.refunds.create({ payment_intent: intent.id, amount: 100 }));
    expect(error).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
  });

  it('replays a refund for the same idempotency key', async () => {
    const intent = await authorize('pm_card_visa');
    await stripe.paymentIntents.capture(intent.id);
    const a = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 }, { idempotencyKey: 'refund-r1' });
    const b = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 }, { idempotencyKey: 'refund-r1' });
    expect(b.id).toBe(a.id);
    expect(mock.refunds).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('posts signed events that stripe.webhooks.constructEvent accepts, in order', async () => {
    const intent = await authorize('pm_card_visa');
    await stripe.paymentIntents.capture(intent.id);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
    const declined = await cardError(authorize('pm_card_chargeDeclined'));
    await stripe.paymentIntents.cancel((await authorize('pm_card_visa')).id);
    await mock.flushWebhooks();
    expect(declined.code).toBe('card_declined');
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received.map((r) => r.type)).toEqual([
      'payment_intent.created',
      'payment_intent.amount_capturable_updated',
      'payment_intent.succeeded',
      'charge.refunded',
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.created',
      'payment_intent.amount_capturable_updated',
      'payment_intent.canceled',
    ]);
    expect(mock.webhookDeliveries.every((d) => d.status === 200)).toBe(true);
    const refunded = mock.events.find((e) => e.type === 'charge.refunded')!;
    expect(refunded.data.object).toMatchObject({ object: 'charge', amount_refunded: 500, payment_intent: intent.id });
    expect(refunded).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String) });
  });

  it('signs with t=…,v1=HMAC-SHA256(secret, t.payload); a tampered payload or a wrong secret is rejected', async () => {
    await authorize('pm_card_visa');
    await mock.flushWebhooks();
    const event = mock.events[0]!;
    const payload = JSON.stringify(event, null, 2);
    const header = mock.sign(payload);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(payload, header, SECRET).id).toBe(event.id);
    expect(() => stripe.webhooks.constructEvent(payload.replace('5000', '1'), header, SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const old = mock.sign(payload, Math.floor(Date.now() / 1000) - 3600);
    expect(() => stripe.webhooks.constructEvent(payload, old, SECRET)).toThrow(/tolerance/);

    // Through the receiver: a replay is delivered as is, a forged signature is refused.
    received.length = 0;
    expect((await mock.sendWebhook(event)).status).toBe(200);
    const forged = await mock.sendWebhook(event, { signature: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    expect(forged.status).toBe(400);
    expect(received.map((r) => [r.id, r.verified])).toEqual([
      [event.id, true],
      [event.id, false],
    ]);
  });
});

describe('form decoding', () => {
  it('decodes stripe-node bracket nesting and indexed arrays', () => {
    expect(decodeForm('amount=5&metadata[order_id]=o1&payment_method_types[0]=card&payment_method_types[1]=link&expand[]=a&expand[]=b')).toEqual({
      amount: '5',
      metadata: { order_id: 'o1' },
      payment_method_types: ['card', 'link'],
      expand: ['a', 'b'],
    });
    expect(decodeForm('a%5Bb%5D=1')).toEqual({ a: { b: '1' } });
  });
});
