import { randomUUID } from 'node:crypto';
import { PaymentAuthorized, PaymentCaptured, PaymentRefunded, PaymentRefundFailed, StockReserved } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  eventTypes,
  handle,
  iso,
  ORDER_FIELDS,
  outboxRows,
  placeOrder,
  readOrder,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let who: Callers;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const FULFIL = `mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { ${ORDER_FIELDS} } }`;
const SHIP = `mutation ($id: ID!, $tracking: String!) { shipOrder(input: { orderId: $id, trackingNumber: $tracking }) { ${ORDER_FIELDS} } }`;
const DELIVER = `mutation ($id: ID!) { markOrderDelivered(input: { orderId: $id }) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation ($id: ID!, $reason: String!) { cancelOrder(input: { orderId: $id, reason: $reason }) { ${ORDER_FIELDS} } }`;
const CANCEL_MINE = `mutation ($id: ID!, $reason: String) { cancelMyOrder(input: { orderId: $id, reason: $reason }) { ${ORDER_FIELDS} } }`;
const REFUND = `mutation ($input: RefundOrderInput!) { refundOrder(input: $input) { ${ORDER_FIELDS} } }`;

const paymentRef = (order: OrderView) => ({ orderId: order.id, paymentId: randomUUID(), provider: 'local' });

/** A placed order driven through the saga to CONFIRMED, with the capture recorded (unless `capture` is false). */
async function confirmedOrder(capture = true): Promise<OrderView> {
  const order = await placeOrder(server, who.alice);
  await handle(
    server.db,
    saga.onStockReserved,
    envelope(StockReserved, {
      orderId: order.id,
      reservationId: randomUUID(),
      lines: order.lines.map((line) => ({ variantId: line.variant.id, warehouseId: randomUUID(), quantity: line.quantity })),
      expiresAt: iso(900_000),
    }),
  );
  const payment = { ...paymentRef(order), currency: 'USD', amountMinor: order.total.amountMinor };
  await handle(server.db, saga.onPaymentAuthorized, envelope(PaymentAuthorized, { ...payment, authorizedAt: iso() }));
  if (capture) await handle(server.db, saga.onPaymentCaptured, envelope(PaymentCaptured, { ...payment, capturedAt: iso() }));
  return readOrder(server, who.admin, order.id);
}

async function orderIn(status: 'CONFIRMED' | 'FULFILLED' | 'SHIPPED' | 'DELIVERED'): Promise<OrderView> {
  const order = await confirmedOrder();
  if (status === 'CONFIRMED') return order;
  await server.ok(FULFIL, { token: who.admin.token, variables: { id: order.id } });
  if (status === 'FULFILLED') return readOrder(server, who.admin, order.id);
  await server.ok(SHIP, { token: who.admin.token, variables: { id: order.id, tracking: '1Z999' } });
  if (status === 'SHIPPED') return readOrder(server, who.admin, order.id);
  await server.ok(DELIVER, { token: who.admin.token, variables: { id: order.id } });
  return readOrder(server, who.admin, order.id);
}

function refundedEvent(order: OrderView, refundRequestId: string, amountMinor: number, refundedTotalMinor: number) {
  return envelope(PaymentRefunded, {
    ...paymentRef(order),
    refundRequestId,
    refundId: `re_${randomUUID().slice(0, 8)}`,
    currency: 'USD',
    amountMinor,
    refundedTotalMinor,
    refundedAt: iso(),
  });
}

describe('permissions', () => {
  const mutations: [string, string, Record<string, unknown>][] = [
    ['fulfillOrder', FULFIL, {}],
    ['shipOrder', SHIP, { tracking: 'X' }],
    ['markOrderDelivered', DELIVER, {}],
    ['cancelOrder', CANCEL, { reason: 'no' }],
    ['refundOrder', REFUND, {}],
  ];

  it.each(mutations)('%s is FORBIDDEN for a customer (even the owner) and UNAUTHENTICATED for an anonymous caller', async (name, query, extra) => {
    const order = await confirmedOrder();
    const variables = name === 'refundOrder' ? { input: { orderId: order.id, restock: false, reason: 'x' } } : { id: order.id, ...extra };
    const before = await eventTypes(server.db, order.id);
    expect(errorCode(await server.gql(query, { token: who.alice.token, variables }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(query, { token: who.bob.token, variables }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(query, { variables }))).toBe('UNAUTHENTICATED');
    expect(await eventTypes(server.db, order.id)).toEqual(before);
    expect((await readOrder(server, who.admin, order.id)).status).toBe('CONFIRMED');
  });
});

describe('fulfilment', () => {
  it('fulfils, ships with a tracking number and delivers, each a timeline row with the admin as actor and an event', async () => {
    const order = await confirmedOrder();
    const fulfilled = await server.ok<{ fulfillOrder: OrderView }>(FULFIL, { token: who.admin.token, variables: { id: order.id } });
    expect(fulfilled.fulfillOrder.status).toBe('FULFILLED');
    const shipped = await server.ok<{ shipOrder: OrderView }>(SHIP, { token: who.admin.token, variables: { id: order.id, tracking: ' 1Z999AA10123456784 ' } });
    expect(shipped.shipOrder).toMatchObject({ status: 'SHIPPED', trackingNumber: '1Z999AA10123456784' });
    const delivered = await server.ok<{ markOrderDelivered: OrderView }>(DELIVER, { token: who.admin.token, variables: { id: order.id } });
    const view = delivered.markOrderDelivered;
    expect(view.status).toBe('DELIVERED');
    expect(view.timeline.slice(-3)).toEqual([
      expect.objectContaining({ from: 'CONFIRMED', to: 'FULFILLED', actor: who.admin.userId }),
      expect.objectContaining({ from: 'FULFILLED', to: 'SHIPPED', actor: who.admin.userId, reason: 'Tracking number 1Z999AA10123456784' }),
      expect.objectContaining({ from: 'SHIPPED', to: 'DELIVERED', actor: who.admin.userId }),
    ]);
    const changes = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.status_changed').slice(-3);
    expect(changes.map((row) => row.envelope.payload.to)).toEqual(['FULFILLED', 'SHIPPED', 'DELIVERED']);
    // The shipping email shows the tracking number: only the SHIPPED event carries it.
    expect(changes.map((row) => row.envelope.payload.trackingNumber)).toEqual([undefined, '1Z999AA10123456784', undefined]);
  });

  it('refuses steps out of order with INVALID_STATE_TRANSITION (from/to in extensions)', async () => {
    const order = await placeOrder(server, who.alice);
    const early = await server.gql(FULFIL, { token: who.admin.token, variables: { id: order.id } });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'PENDING', to: 'FULFILLED' });
    const confirmed = await confirmedOrder();
    const skip = await server.gql(SHIP, { token: who.admin.token, variables: { id: confirmed.id, tracking: 'X' } });
    expect(skip.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'CONFIRMED', to: 'SHIPPED' });
    const noTracking = await server.gql(SHIP, { token: who.admin.token, variables: { id: confirmed.id, tracking: '  ' } });
    expect(errorCode(noTracking)).toBe('BAD_USER_INPUT');
  });

  it('answers NOT_FOUND for unknown and malformed order ids', async () => {
    expect(errorCode(await server.gql(FULFIL, { token: who.admin.token, variables: { id: randomUUID() } }))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(FULFIL, { token: who.admin.token, variables: { id: 'nope' } }))).toBe('NOT_FOUND');
  });
});

describe('cancelOrder (admin)', () => {
  it.each(['PENDING', 'CONFIRMED', 'FULFILLED'] as const)('cancels a %s order with a reason and emits order.cancelled {from}', async (status) => {
    const order = status === 'PENDING' ? await placeOrder(server, who.alice) : await orderIn(status);
    const data = await server.ok<{ cancelOrder: OrderView }>(CANCEL, { token: who.admin.token, variables: { id: order.id, reason: 'Fraud check failed' } });
    expect(data.cancelOrder).toMatchObject({ status: 'CANCELLED', statusReason: 'Fraud check failed' });
    expect(data.cancelOrder.timeline.at(-1)).toMatchObject({ from: status, to: 'CANCELLED', actor: who.admin.userId });
    const [cancelled] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.cancelled');
    expect(cancelled?.envelope.payload).toMatchObject({ orderId: order.id, from: status, to: 'CANCELLED', reason: 'Fraud check failed' });
  });

  it('refuses shipped orders and a blank reason', async () => {
    const shipped = await orderIn('SHIPPED');
    const late = await server.gql(CANCEL, { token: who.admin.token, variables: { id: shipped.id, reason: 'too late' } });
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'SHIPPED', to: 'CANCELLED' });
    const order = await placeOrder(server, who.alice);
    const blank = await server.gql(CANCEL, { token: who.admin.token, variables: { id: order.id, reason: ' ' } });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
  });
});

describe('cancelMyOrder (customer)', () => {
  it('lets the owner cancel while PENDING or STOCK_RESERVED', async () => {
    const order = await placeOrder(server, who.alice);
    const data = await server.ok<{ cancelMyOrder: OrderView }>(CANCEL_MINE, { token: who.alice.token, variables: { id: order.id, reason: 'Changed my mind' } });
    expect(data.cancelMyOrder).toMatchObject({ status: 'CANCELLED', statusReason: 'Cancelled by the customer: Changed my mind' });
    expect(data.cancelMyOrder.timeline.at(-1)).toMatchObject({ from: 'PENDING', to: 'CANCELLED', actor: who.alice.userId });
    expect(await eventTypes(server.db, order.id)).toContain('order.cancelled');
  });

  it("refuses after confirmation, and someone else's order is NOT_FOUND", async () => {
    const order = await confirmedOrder();
    const late = await server.gql(CANCEL_MINE, { token: who.alice.token, variables: { id: order.id } });
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'CONFIRMED', to: 'CANCELLED' });
    const pending = await placeOrder(server, who.alice);
    expect(errorCode(await server.gql(CANCEL_MINE, { token: who.bob.token, variables: { id: pending.id } }))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CANCEL_MINE, { variables: { id: pending.id } }))).toBe('UNAUTHENTICATED');
    expect((await readOrder(server, who.alice, pending.id)).status).toBe('PENDING');
  });
});

describe('refundOrder', () => {
  it('a full refund with restock: order.refund_requested, then payment.refunded makes it REFUNDED and emits order.refunded with every line', async () => {
    const order = await orderIn('DELIVERED');
    const data = await server.ok<{ refundOrder: OrderView }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: true, reason: 'Returned in full' } },
    });
    const [request] = data.refundOrder.refunds;
    expect(data.refundOrder.status).toBe('DELIVERED');
    expect(request).toMatchObject({ amount: { amountMinor: order.total.amountMinor }, restock: true, reason: 'Returned in full', status: 'REQUESTED' });

    const [requested] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refund_requested');
    expect(requested?.envelope.payload).toMatchObject({
      orderId: order.id,
      userId: who.alice.userId,
      refundRequestId: request!.id,
      currency: 'USD',
      amountMinor: order.total.amountMinor,
      restock: true,
      reason: 'Returned in full',
    });

    // Nothing is left to refund while the request is pending.
    const again = await server.gql(REFUND, { token: who.admin.token, variables: { input: { orderId: order.id, restock: false, reason: 'again' } } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amountMinor' });

    await handle(server.db, saga.onPaymentRefunded, refundedEvent(order, request!.id, order.total.amountMinor, order.total.amountMinor));
    const after = await readOrder(server, who.admin, order.id);
    expect(after).toMatchObject({ status: 'REFUNDED', refundedAmount: { amountMinor: order.total.amountMinor } });
    expect(after.refunds[0]).toMatchObject({ status: 'SUCCEEDED', completedAt: expect.any(String) });
    expect(after.timeline.at(-1)).toMatchObject({ from: 'DELIVERED', to: 'REFUNDED', actor: 'system' });

    const [refunded] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refunded');
    expect(refunded?.envelope.payload).toMatchObject({
      orderId: order.id,
      refundRequestId: request!.id,
      restock: true,
      amountMinor: order.total.amountMinor,
      fullyRefunded: true,
    });
    expect(refunded?.envelope.payload.lines).toEqual(order.lines.map((line) => ({ variantId: line.variant.id, quantity: line.quantity })));

    const refundedAgain = await server.gql(REFUND, { token: who.admin.token, variables: { input: { orderId: order.id, restock: false, reason: 'x' } } });
    expect(refundedAgain.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'REFUNDED', to: 'REFUNDED' });
  });

  it('partial refunds: bounded by captured minus refunded, status kept until fully refunded, restock only the given units', async () => {
    const order = await orderIn('SHIPPED');
    const total = order.total.amountMinor;
    const [first, second] = order.lines;

    const tooMuch = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, amountMinor: total + 1, restock: false, reason: 'x' } },
    });
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amountMinor' });
    const badLine = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, amountMinor: 100, restock: true, reason: 'x', lines: [{ lineId: first!.id, quantity: first!.quantity + 1 }] } },
    });
    expect(badLine.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines[0].quantity' });

    const part = await server.ok<{ refundOrder: OrderView }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, amountMinor: 1000, restock: true, reason: 'One returned', lines: [{ lineId: second!.id, quantity: 1 }] } },
    });
    const partRequest = part.refundOrder.refunds[0]!;
    await handle(server.db, saga.onPaymentRefunded, refundedEvent(order, partRequest.id, 1000, 1000));
    let view = await readOrder(server, who.admin, order.id);
    expect(view).toMatchObject({ status: 'SHIPPED', refundedAmount: { amountMinor: 1000 } });
    const [partial] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refunded');
    expect(partial?.envelope.payload.lines).toEqual([{ variantId: second!.variant.id, quantity: 1 }]);
    expect(partial?.envelope.payload.fullyRefunded).toBe(false);

    // The default amount is what is left; default restock lines are the units not returned yet.
    const rest = await server.ok<{ refundOrder: OrderView }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: true, reason: 'Rest returned' } },
    });
    const restRequest = rest.refundOrder.refunds[1]!;
    expect(restRequest.amount.amountMinor).toBe(total - 1000);
    const restLines = await server.db.refundRequestLine.findMany({ where: { refundRequestId: restRequest.id } });
    expect(restLines.map((line) => [line.variantId, line.quantity]).sort()).toEqual(
      [
        [first!.variant.id, first!.quantity],
        [second!.variant.id, second!.quantity - 1],
      ].sort(),
    );
    await handle(server.db, saga.onPaymentRefunded, refundedEvent(order, restRequest.id, total - 1000, total));
    view = await readOrder(server, who.admin, order.id);
    expect(view).toMatchObject({ status: 'REFUNDED', refundedAmount: { amountMinor: total } });
    // The refund that completes it is a full one for the shopper's email (notifications).
    const last = (await outboxRows(server.db, order.id)).find((row) => row.event_type === 'order.refunded' && row.envelope.payload.refundRequestId === restRequest.id);
    expect(last?.envelope.payload).toMatchObject({ amountMinor: total - 1000, fullyRefunded: true, orderNumber: expect.stringMatching(/^[0-9]+$/) });
  });

  it('a failed refund frees its amount and units again', async () => {
    const order = await orderIn('CONFIRMED');
    const data = await server.ok<{ refundOrder: OrderView }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: true, reason: 'Damaged' } },
    });
    const request = data.refundOrder.refunds[0]!;
    await handle(
      server.db,
      saga.onPaymentRefundFailed,
      envelope(PaymentRefundFailed, { ...paymentRef(order), refundRequestId: request.id, reason: 'card closed', failedAt: iso() }),
    );
    const view = await readOrder(server, who.admin, order.id);
    expect(view.refunds[0]).toMatchObject({ status: 'FAILED', failureReason: 'card closed' });
    expect(view.status).toBe('CONFIRMED');
    expect(await server.db.orderLine.aggregate({ where: { orderId: order.id }, _sum: { returnedQuantity: true } })).toEqual({
      _sum: { returnedQuantity: 0 },
    });
    const retry = await server.ok<{ refundOrder: OrderView }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: false, reason: 'Retry' } },
    });
    expect(retry.refundOrder.refunds[1]!.amount.amountMinor).toBe(order.total.amountMinor);
  });

  it('refuses orders that are not confirmed, and confirmed orders with nothing captured yet', async () => {
    const pending = await placeOrder(server, who.alice);
    const early = await server.gql(REFUND, { token: who.admin.token, variables: { input: { orderId: pending.id, restock: false, reason: 'x' } } });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from: 'PENDING', to: 'REFUNDED' });
    const uncaptured = await confirmedOrder(false);
    const nothing = await server.gql(REFUND, { token: who.admin.token, variables: { input: { orderId: uncaptured.id, restock: false, reason: 'x' } } });
    expect(nothing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amountMinor' });
    const noLines = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: uncaptured.id, restock: false, reason: 'x', lines: [] } },
    });
    expect(noLines.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines' });
  });

  it('two concurrent refunds of the whole amount: one is requested, the other refused', async () => {
    const order = await orderIn('CONFIRMED');
    const input = { orderId: order.id, restock: false, reason: 'double click' };
    const results = await Promise.all([1, 2].map(() => server.gql(REFUND, { token: who.admin.token, variables: { input } })));
    expect(results.filter((result) => !result.errors).length).toBe(1);
    expect(results.map(errorCode).filter(Boolean)).toEqual(['BAD_USER_INPUT']);
    expect(await server.db.refundRequest.count({ where: { orderId: order.id } })).toBe(1);
  });
});
