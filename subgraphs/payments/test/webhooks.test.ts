/**
 * POST /webhooks/stripe on the real subgraph server: signatures checked with
 * stripe.webhooks.constructEvent, replays and out-of-order events, and the
 * reconciliation of answers the saga lost in a crash.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { signWebhookPayload, type StripeEvent } from '@commerce/stripe-mock';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { paymentsSubgraph } from '../src/subgraph.js';
import {
  crashAfter,
  events,
  intentsOf,
  newOrder,
  outboxRows,
  outboxTypes,
  paymentOf,
  saga,
  silentLogger,
  startStripe,
  testPrisma,
  truncateAll,
  WEBHOOK_SECRET,
  type StripeSetup,
  type TestOrder,
} from './helpers.js';

let db: PaymentsPrisma;
/** Webhooks are sent by hand from this one, in whatever order a test needs. */
let stripe: StripeSetup;
let flow: ReturnType<typeof saga>;
let server: RunningSubgraph;
let webhookUrl: string;

beforeAll(async () => {
  db = testPrisma();
  await truncateAll(db);
  stripe = await startStripe({ autoDeliverWebhooks: false });
  flow = saga(db, stripe.provider);
  server = await startSubgraph(
    paymentsSubgraph({ prisma: db, provider: stripe.provider, webhookSecret: WEBHOOK_SECRET, relay: false, consumers: false, logger: silentLogger() }),
    { port: 0, host: '127.0.0.1' },
  );
  webhookUrl = server.url.replace(/\/graphql$/, '/webhooks/stripe');
  stripe.mock.setWebhookUrl(webhookUrl);
});

afterAll(async () => {
  await server?.stop();
  if (db) await truncateAll(db);
  await db?.$disconnect();
  await stripe?.mock.stop();
});

beforeEach(() => {
  stripe.mock.reset();
});

/** The latest mock event of a type about an order's PaymentIntent (or its charge). */
function eventOf(type: string, order: TestOrder): StripeEvent {
  const intentIds = new Set(intentsOf(stripe.mock, order.orderId).map((pi) => pi.id));
  const found = [...stripe.mock.events].reverse().find((event) => {
    const object = event.data.object as { id: string; payment_intent?: string };
    return event.type === type && (intentIds.has(object.id) || intentIds.has(object.payment_intent ?? ''));
  });
  if (!found) throw new Error(`no ${type} event for order ${order.orderId}`);
  return found;
}

async function send(event: StripeEvent): Promise<{ status: number; outcome?: string; body: string }> {
  const delivery = await stripe.mock.sendWebhook(event);
  const parsed = delivery.status === 200 ? (JSON.parse(delivery.body) as { outcome: string }) : undefined;
  return { status: delivery.status, body: delivery.body, ...(parsed ? { outcome: parsed.outcome } : {}) };
}

const postRaw = (body: string, signature?: string) =>
  fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });

describe('signatures', () => {
  it('accepts events signed with the endpoint secret (delivered by the mock as they happen)', async () => {
    const live = await startStripe({ webhookUrl, autoDeliverWebhooks: true });
    try {
      const order = newOrder();
      const liveFlow = saga(db, live.provider);
      await liveFlow.deliver(events.orderPlaced(order));
      await liveFlow.deliver(events.stockReserved(order));
      await liveFlow.deliver(events.orderConfirmed(order));
      await live.mock.flushWebhooks();
      expect(live.mock.webhookDeliveries.map((d) => [d.type, d.status])).toEqual([
        ['payment_intent.created', 200],
        ['payment_intent.amount_capturable_updated', 200],
        ['payment_intent.succeeded', 200],
      ]);
      // The saga had every answer already: the webhooks confirm, they change nothing.
      expect(live.mock.webhookDeliveries.map((d) => (JSON.parse(d.body) as { outcome: string }).outcome)).toEqual(['ignored', 'ignored', 'ignored']);
      expect(await db.stripeWebhookEvent.count({ where: { id: { in: live.mock.events.map((e) => e.id) } } })).toBe(3);
      expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);
    } finally {
      await live.mock.stop();
    }
  });

  it('rejects a forged, tampered, stale or missing signature with 400 and no details', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await expect(saga(db, crashAfter(stripe.provider, 'authorize')).deliver(events.stockReserved(order))).rejects.toThrow();
    const event = eventOf('payment_intent.amount_capturable_updated', order);
    const payload = JSON.stringify(event, null, 2);

    const answers = [
      await postRaw(payload, signWebhookPayload(payload, 'whsec_someone_else')),
      await postRaw(payload.replace('"requires_capture"', '"succeeded"'), signWebhookPayload(payload, WEBHOOK_SECRET)),
      await postRaw(payload, signWebhookPayload(payload, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600)),
      await postRaw(payload),
      await postRaw(payload, 'garbage'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      const text = await answer.text();
      expect(JSON.parse(text)).toEqual({ error: { message: 'Invalid Stripe signature.' } });
      expect(text).not.toMatch(/stack|at \w+ \(|\.ts:\d+|whsec|v1=/);
    }
    // Nothing applied or recorded.
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PENDING' });
    expect(await db.stripeWebhookEvent.count({ where: { id: event.id } })).toBe(0);
    // The genuine delivery still works afterwards.
    expect((await send(event)).outcome).toBe('applied');
  });

  it('answers 405 to anything but POST', async () => {
    expect((await fetch(webhookUrl)).status).toBe(405);
  });
});

describe('reconciliation', () => {
  it('an authorization whose answer was lost is recorded from the webhook, once; the retried reaction publishes nothing more', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    const reserved = events.stockReserved(order);
    await expect(saga(db, crashAfter(stripe.provider, 'authorize')).deliver(reserved)).rejects.toThrow(/simulated crash/);

    const event = eventOf('payment_intent.amount_capturable_updated', order);
    expect(await send(event)).toMatchObject({ status: 200, outcome: 'applied' });
    const [intent] = intentsOf(stripe.mock, order.orderId);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'AUTHORIZED', providerPaymentId: intent!.id });
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);

    // A replayed delivery is acknowledged and ignored.
    expect(await send(event)).toMatchObject({ status: 200, outcome: 'duplicate' });
    // The consumer's retry of stock.reserved finds the payment authorized.
    await flow.deliver(reserved);
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
    expect(await db.stripeWebhookEvent.findUnique({ where: { id: event.id } })).toMatchObject({ outcome: 'applied', objectId: intent!.id });
  });

  it('a decline whose answer was lost fails the payment from payment_intent.payment_failed', async () => {
    const order = newOrder({ token: 'pm_card_chargeDeclined' });
    await flow.deliver(events.orderPlaced(order));
    await expect(saga(db, crashAfter(stripe.provider, 'authorize')).deliver(events.stockReserved(order))).rejects.toThrow();
    expect(await send(eventOf('payment_intent.payment_failed', order))).toMatchObject({ outcome: 'applied' });
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'FAILED', declineCode: 'card_declined' });
    const [failed] = await outboxRows(db, order.orderId);
    expect(failed!.envelope).toMatchObject({ type: 'payment.failed', payload: { declineCode: 'card_declined' } });
  });

  it('out of order: after payment_intent.succeeded, an older amount_capturable_updated changes nothing', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.stockReserved(order));
    await expect(saga(db, crashAfter(stripe.provider, 'capture')).deliver(events.orderConfirmed(order))).rejects.toThrow();
    expect((await paymentOf(db, order.orderId)).status).toBe('AUTHORIZED');

    expect(await send(eventOf('payment_intent.succeeded', order))).toMatchObject({ outcome: 'applied' });
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CAPTURED', capturedMinor: 5000 });
    expect(await send(eventOf('payment_intent.amount_capturable_updated', order))).toMatchObject({ outcome: 'ignored' });
    expect(await send(eventOf('payment_intent.created', order))).toMatchObject({ outcome: 'ignored' });
    expect((await paymentOf(db, order.orderId)).status).toBe('CAPTURED');
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);
  });

  it('charge.refunded raises the refunded total; the retried refund is not counted twice', async () => {
    const order = newOrder();
    for (const event of [events.orderPlaced(order), events.stockReserved(order), events.orderConfirmed(order)]) await flow.deliver(event);
    const refund = events.refundRequested(order, 1200);
    await expect(saga(db, crashAfter(stripe.provider, 'refund')).deliver(refund)).rejects.toThrow();

    expect(await send(eventOf('charge.refunded', order))).toMatchObject({ outcome: 'applied' });
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 1200 });
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);

    await flow.deliver(refund);
    expect(stripe.mock.refunds).toHaveLength(1);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 1200 });
    const refunded = (await outboxRows(db, order.orderId)).at(-1)!;
    expect(refunded.envelope).toMatchObject({ type: 'payment.refunded', payload: { amountMinor: 1200, refundedTotalMinor: 1200 } });
  });

  it('a cancellation at Stripe voids an authorized payment; a stale one after capture does not', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.stockReserved(order));
    const { providerPaymentId } = await paymentOf(db, order.orderId);
    await stripe.provider.stripe.paymentIntents.cancel(providerPaymentId!);
    expect(await send(eventOf('payment_intent.canceled', order))).toMatchObject({ outcome: 'applied' });
    expect((await paymentOf(db, order.orderId)).status).toBe('VOIDED');
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.voided']);
  });

  it('releases an authorization that surfaces after its order was cancelled', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await expect(saga(db, crashAfter(stripe.provider, 'authorize')).deliver(events.stockReserved(order))).rejects.toThrow();
    // The order is cancelled before the retry succeeds (e.g. the reservation expired).
    await flow.deliver(events.orderCancelled(order, 'STOCK_RESERVED'));
    expect((await paymentOf(db, order.orderId)).status).toBe('CANCELLED');

    expect(await send(eventOf('payment_intent.amount_capturable_updated', order))).toMatchObject({ outcome: 'released' });
    expect(intentsOf(stripe.mock, order.orderId)[0]).toMatchObject({ status: 'canceled' });
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CANCELLED' });
    expect(await outboxTypes(db, order.orderId)).toEqual([]);
  });

  it('acknowledges events about PaymentIntents that are not ours', async () => {
    const intent = await stripe.provider.stripe.paymentIntents.create({
      amount: 700,
      currency: 'usd',
      capture_method: 'manual',
      confirm: true,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const event = stripe.mock.events.find((e) => e.type === 'payment_intent.amount_capturable_updated' && (e.data.object as { id: string }).id === intent.id)!;
    expect(await send(event)).toMatchObject({ status: 200, outcome: 'ignored' });
    const made = { ...event, id: 'evt_made_up_other_type', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } };
    expect(await send(made as StripeEvent)).toMatchObject({ status: 200, outcome: 'ignored' });
  });
});
