/**
 * The saga reactions against the real database and the stripe mock through
 * the real `stripe` library: authorize when both events are seen, declines,
 * capture, void, refunds and their bounds, redelivery and crashes between
 * Stripe's answer and our commit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { cancellationRefundRequestId } from '../src/service/payment.service.js';
import {
  crashAfter,
  events,
  intentsOf,
  newOrder,
  outboxRows,
  outboxTypes,
  paymentOf,
  saga,
  startStripe,
  testPrisma,
  truncateAll,
  type StripeSetup,
  type TestOrder,
} from './helpers.js';

let db: PaymentsPrisma;
let stripe: StripeSetup;
let flow: ReturnType<typeof saga>;

beforeAll(async () => {
  db = testPrisma();
  await truncateAll(db);
  stripe = await startStripe();
  flow = saga(db, stripe.provider);
});

afterAll(async () => {
  if (db) await truncateAll(db);
  await db?.$disconnect();
  await stripe?.mock.stop();
});

beforeEach(() => {
  stripe.mock.reset();
});

/** order.placed + stock.reserved: the authorized state most tests start from. */
async function authorized(order: TestOrder = newOrder()): Promise<TestOrder> {
  await flow.deliver(events.orderPlaced(order));
  await flow.deliver(events.stockReserved(order));
  expect((await paymentOf(db, order.orderId)).status).toBe('AUTHORIZED');
  return order;
}

async function captured(order: TestOrder = newOrder()): Promise<TestOrder> {
  await authorized(order);
  await flow.deliver(events.orderConfirmed(order));
  expect((await paymentOf(db, order.orderId)).status).toBe('CAPTURED');
  return order;
}

const requestsWithKey = (key: string) => stripe.mock.requests.filter((r) => r.idempotencyKey === key);

describe('authorization', () => {
  it('authorizes once order.placed and stock.reserved have both been seen (order first)', async () => {
    const order = newOrder({ totalMinor: 12_345, currency: 'EUR' });
    await flow.deliver(events.orderPlaced(order));
    const pending = await paymentOf(db, order.orderId);
    expect(pending).toMatchObject({ status: 'PENDING', amountMinor: 12_345, currency: 'EUR', userId: order.userId, provider: 'stripe' });
    expect(intentsOf(stripe.mock, order.orderId)).toEqual([]);
    expect(await outboxTypes(db, order.orderId)).toEqual([]);

    await flow.deliver(events.stockReserved(order));
    const payment = await paymentOf(db, order.orderId);
    const [intent] = intentsOf(stripe.mock, order.orderId);
    expect(intent).toMatchObject({ status: 'requires_capture', amount: 12_345, currency: 'eur', capture_method: 'manual', payment_method: 'pm_card_visa' });
    expect(payment).toMatchObject({ status: 'AUTHORIZED', providerPaymentId: intent!.id });
    expect(payment.authorizedAt).toBeInstanceOf(Date);
    expect(requestsWithKey(`pi-authorize-${order.orderId}`)).toHaveLength(1);

    const [event] = await outboxRows(db, order.orderId);
    expect(event!.envelope).toMatchObject({
      type: 'payment.authorized',
      payload: { orderId: order.orderId, paymentId: payment.id, provider: 'stripe', currency: 'EUR', amountMinor: 12_345 },
    });
  });

  it('authorizes when stock.reserved arrives first', async () => {
    const order = newOrder();
    await flow.deliver(events.stockReserved(order));
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PENDING', amountMinor: null });
    expect(intentsOf(stripe.mock, order.orderId)).toEqual([]);
    await flow.deliver(events.orderPlaced(order));
    expect((await paymentOf(db, order.orderId)).status).toBe('AUTHORIZED');
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'Your card was declined.'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'Your card has expired.'],
  ])('a decline (%s) fails the payment with decline code %s and publishes payment.failed', async (token, declineCode, reason) => {
    const order = newOrder({ token });
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.stockReserved(order));
    const payment = await paymentOf(db, order.orderId);
    const [intent] = intentsOf(stripe.mock, order.orderId);
    expect(payment).toMatchObject({ status: 'FAILED', declineCode, failureReason: reason, providerPaymentId: intent!.id });
    const [event] = await outboxRows(db, order.orderId);
    expect(event!.envelope).toMatchObject({ type: 'payment.failed', payload: { orderId: order.orderId, declineCode, reason } });
  });

  it('an unknown payment method fails as invalid_payment_method without quoting the token', async () => {
    const order = newOrder({ token: 'pm_card_madeUpSecretish' });
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.stockReserved(order));
    const payment = await paymentOf(db, order.orderId);
    expect(payment).toMatchObject({ status: 'FAILED', declineCode: 'invalid_payment_method' });
    const [event] = await outboxRows(db, order.orderId);
    expect(JSON.stringify(event!.envelope)).not.toContain('pm_card_madeUpSecretish');
  });

  it('stock.reservation_failed cancels the payment; it is never authorized', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.reservationFailed(order));
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CANCELLED' });
    // A late stock.reserved (another partition) changes nothing.
    await flow.deliver(events.stockReserved(order));
    expect((await paymentOf(db, order.orderId)).status).toBe('CANCELLED');
    expect(intentsOf(stripe.mock, order.orderId)).toEqual([]);
    expect(await outboxTypes(db, order.orderId)).toEqual([]);
  });

  it('stock.reservation_failed before order.placed: the order is recorded but never authorized', async () => {
    const order = newOrder();
    await flow.deliver(events.reservationFailed(order));
    await flow.deliver(events.orderPlaced(order));
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CANCELLED', amountMinor: 5000 });
    expect(stripe.mock.requests).toEqual([]);
  });
});

describe('capture and void', () => {
  it('captures at order.confirmed and publishes payment.captured', async () => {
    const order = await authorized();
    await flow.deliver(events.orderConfirmed(order));
    const payment = await paymentOf(db, order.orderId);
    expect(payment).toMatchObject({ status: 'CAPTURED', capturedMinor: 5000 });
    expect(payment.capturedAt).toBeInstanceOf(Date);
    expect(intentsOf(stripe.mock, order.orderId)[0]).toMatchObject({ status: 'succeeded', amount_received: 5000 });
    expect(requestsWithKey(`pi-capture-${order.orderId}`)).toHaveLength(1);
    const rows = await outboxRows(db, order.orderId);
    expect(rows.map((r) => r.event_type)).toEqual(['payment.authorized', 'payment.captured']);
    expect(rows[1]!.envelope.payload).toMatchObject({ amountMinor: 5000, currency: 'USD' });
  });

  it('voids the authorization when the order is cancelled before capture', async () => {
    const order = await authorized();
    await flow.deliver(events.orderCancelled(order));
    expect((await paymentOf(db, order.orderId)).status).toBe('VOIDED');
    expect(intentsOf(stripe.mock, order.orderId)[0]).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(requestsWithKey(`pi-void-${order.orderId}`)).toHaveLength(1);
    const rows = await outboxRows(db, order.orderId);
    expect(rows.map((r) => r.event_type)).toEqual(['payment.authorized', 'payment.voided']);
    expect(rows[1]!.envelope.payload).toMatchObject({ reason: 'Cancelled by an admin' });
    // A late order.confirmed captures nothing.
    await flow.deliver(events.orderConfirmed(order));
    expect((await paymentOf(db, order.orderId)).status).toBe('VOIDED');
  });

  it('cancels without calling Stripe when nothing was authorized', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    await flow.deliver(events.orderCancelled(order, 'PENDING'));
    expect((await paymentOf(db, order.orderId)).status).toBe('CANCELLED');
    await flow.deliver(events.stockReserved(order));
    expect((await paymentOf(db, order.orderId)).status).toBe('CANCELLED');
    expect(stripe.mock.requests).toEqual([]);
  });

  it('refunds a captured payment in full when the order is cancelled after confirmation', async () => {
    const order = await captured();
    await flow.deliver(events.orderCancelled(order, 'CONFIRMED'));
    const payment = await paymentOf(db, order.orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED', refundedMinor: 5000 });
    const [refund] = stripe.mock.refunds;
    expect(refund).toMatchObject({ amount: 5000, payment_intent: payment.providerPaymentId });
    const refundRequestId = cancellationRefundRequestId(order.orderId);
    expect(requestsWithKey(`refund-${refundRequestId}`)).toHaveLength(1);
    const rows = await outboxRows(db, order.orderId);
    expect(rows.at(-1)!.envelope).toMatchObject({
      type: 'payment.refunded',
      payload: { refundRequestId, refundId: refund!.id, amountMinor: 5000, refundedTotalMinor: 5000 },
    });
    // Cancelling again refunds nothing more.
    await flow.deliver(events.orderCancelled(order, 'CONFIRMED'));
    expect(stripe.mock.refunds).toHaveLength(1);
  });
});

describe('refunds', () => {
  it('refunds partially, then the rest, and refuses anything beyond what was captured', async () => {
    const order = await captured();
    await flow.deliver(events.refundRequested(order, 2000));
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 2000 });

    const tooMuch = events.refundRequested(order, 3001);
    await flow.deliver(tooMuch);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 2000 });

    await flow.deliver(events.refundRequested(order, 3000));
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'REFUNDED', refundedMinor: 5000 });
    await flow.deliver(events.refundRequested(order, 1));

    expect(stripe.mock.refunds.map((r) => r.amount)).toEqual([2000, 3000]);
    const rows = (await outboxRows(db, order.orderId)).filter((r) => r.event_type.startsWith('payment.refund'));
    expect(rows.map((r) => [r.event_type, r.envelope.payload.amountMinor ?? null, r.envelope.payload.refundedTotalMinor ?? null])).toEqual([
      ['payment.refunded', 2000, 2000],
      ['payment.refund_failed', null, null],
      ['payment.refunded', 3000, 5000],
      ['payment.refund_failed', null, null],
    ]);
    expect(rows[1]!.envelope.payload).toMatchObject({ refundRequestId: tooMuch.payload.refundRequestId, reason: expect.stringMatching(/exceeds/) });
    expect(await db.refund.count({ where: { payment: { orderId: order.orderId } } })).toBe(4);
  });

  it('refuses a refund before capture and in another currency', async () => {
    const order = await authorized();
    await flow.deliver(events.refundRequested(order, 100));
    await flow.deliver(events.orderConfirmed(order));
    const euros = events.refundRequested(order, 100);
    euros.payload.currency = 'EUR';
    await flow.deliver(euros);
    expect(stripe.mock.refunds).toEqual([]);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.refund_failed', 'payment.captured', 'payment.refund_failed']);
  });

  it('answers one refund request once, whatever event delivers it', async () => {
    const order = await captured();
    const request = events.refundRequested(order, 1500);
    await flow.deliver(request);
    await flow.deliver({ ...request, eventId: randomUUID() });
    expect(stripe.mock.refunds).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured', 'payment.refunded']);
  });
});

describe('redelivery and crashes', () => {
  it('a redelivered event is skipped by processed_events: one PaymentIntent, one outbox event', async () => {
    const order = newOrder();
    const placed = events.orderPlaced(order);
    const reserved = events.stockReserved(order);
    expect(await flow.deliver(placed)).toBe('handled');
    expect(await flow.deliver(reserved)).toBe('handled');
    expect(await flow.deliver(reserved)).toBe('duplicate');
    expect(await flow.deliver(placed)).toBe('duplicate');
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
  });

  it('the same handler run twice (a copy of the event under another id) authorizes and captures once', async () => {
    const order = newOrder();
    const placed = events.orderPlaced(order);
    const reserved = events.stockReserved(order);
    const confirmed = events.orderConfirmed(order);
    for (const event of [placed, reserved, { ...reserved, eventId: randomUUID() }, { ...placed, eventId: randomUUID() }, confirmed, { ...confirmed, eventId: randomUUID() }]) {
      await db.$transaction((tx) => flow.handlers[event.type]!(event, tx));
    }
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(requestsWithKey(`pi-authorize-${order.orderId}`)).toHaveLength(1);
    expect(requestsWithKey(`pi-capture-${order.orderId}`)).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);
  });

  it('a crash after Stripe authorized but before our commit: the retry sends the same key and Stripe replays — one charge', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    const reserved = events.stockReserved(order);
    const crashing = crashAfter(stripe.provider, 'authorize');
    await expect(saga(db, crashing).deliver(reserved)).rejects.toThrow(/simulated crash/);
    expect(crashing.calls).toBe(1);
    // Rolled back: no state, no event, and the event is not marked processed.
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PENDING', stockReservedAt: null });
    expect(await outboxTypes(db, order.orderId)).toEqual([]);
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);

    // The consumer retries the same event.
    expect(await flow.deliver(reserved)).toBe('handled');
    const [intent] = intentsOf(stripe.mock, order.orderId);
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'AUTHORIZED', providerPaymentId: intent!.id });
    expect(requestsWithKey(`pi-authorize-${order.orderId}`).map((r) => r.replayed)).toEqual([false, true]);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
  });

  it('a crash after a decline: the retry gets the same decline, one PaymentIntent', async () => {
    const order = newOrder({ token: 'pm_card_chargeDeclinedInsufficientFunds' });
    await flow.deliver(events.orderPlaced(order));
    const reserved = events.stockReserved(order);
    await expect(saga(db, crashAfter(stripe.provider, 'authorize')).deliver(reserved)).rejects.toThrow(/simulated crash/);
    await flow.deliver(reserved);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'FAILED', declineCode: 'insufficient_funds' });
    expect(intentsOf(stripe.mock, order.orderId)).toHaveLength(1);
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.failed']);
  });

  it('crashes after capture and after refund are retried with the same keys: one capture, one refund', async () => {
    const order = await authorized();
    const confirmed = events.orderConfirmed(order);
    await expect(saga(db, crashAfter(stripe.provider, 'capture')).deliver(confirmed)).rejects.toThrow(/simulated crash/);
    expect((await paymentOf(db, order.orderId)).status).toBe('AUTHORIZED');
    await flow.deliver(confirmed);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CAPTURED', capturedMinor: 5000 });
    expect(requestsWithKey(`pi-capture-${order.orderId}`).map((r) => [r.status, r.replayed])).toEqual([
      [200, false],
      [200, true],
    ]);

    const refund = events.refundRequested(order, 1200);
    await expect(saga(db, crashAfter(stripe.provider, 'refund')).deliver(refund)).rejects.toThrow(/simulated crash/);
    await flow.deliver(refund);
    expect(stripe.mock.refunds).toHaveLength(1);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 1200 });
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured', 'payment.refunded']);
  });

  it('a transient Stripe failure throws, so the consumer retries; nothing is recorded meanwhile', async () => {
    const order = newOrder();
    await flow.deliver(events.orderPlaced(order));
    const reserved = events.stockReserved(order);
    await stripe.mock.stop();
    try {
      await expect(flow.deliver(reserved)).rejects.toThrow();
      expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'PENDING', stockReservedAt: null });
    } finally {
      stripe = await startStripe();
      flow = saga(db, stripe.provider);
    }
    await flow.deliver(reserved);
    expect((await paymentOf(db, order.orderId)).status).toBe('AUTHORIZED');
  });
});
