/**
 * The admin console's side of orders (issue 11): the filtered order list with
 * its total, the detail's timeline actors and refund lines, refunds by line
 * (amount from unit prices, restock or not, never a unit twice, never more
 * than captured), the dashboard's orderStats, and the audit log every admin
 * mutation leaves in its transaction.
 */
import { randomUUID } from 'node:crypto';
import { PaymentAuthorized, PaymentCaptured, PaymentRefunded, PaymentRefundFailed, StockReserved } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderStatus } from '../src/generated/prisma/client.js';
import * as saga from '../src/service/saga.service.js';
import {
  callers,
  envelope,
  handle,
  iso,
  ORDER_FIELDS,
  outboxRows,
  PLACE_ORDER,
  placeInput,
  placeOrder,
  readOrder,
  startTestServer,
  truncateAll,
  type Caller,
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

interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const ADMIN_ORDERS = `query ($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id number status email placedAt user { id } lines { id } timeline { to } } }
  }
}`;
const FULFIL = 'mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { id status } }';
const SHIP = 'mutation ($id: ID!, $tracking: String!) { shipOrder(input: { orderId: $id, trackingNumber: $tracking }) { id status } }';
const DELIVER = 'mutation ($id: ID!) { markOrderDelivered(input: { orderId: $id }) { id status } }';
const CANCEL = 'mutation ($id: ID!, $reason: String!) { cancelOrder(input: { orderId: $id, reason: $reason }) { id status } }';
const REFUND = `mutation ($input: RefundOrderInput!) { refundOrder(input: $input) { ${ORDER_FIELDS}
  lines { id refundedQuantity returnedQuantity }
  refunds { id byLine requestedBy { id } lines { orderLineId variant { id } quantity } amount { amountMinor } restock status } } }`;
const DETAIL = `query ($id: ID!) { order(id: $id) { id status
  timeline { from to actor actedBy { id } at }
  lines { id quantity refundedQuantity returnedQuantity unitPrice { amountMinor } }
  refunds { id byLine requestedBy { id } lines { orderLineId quantity } amount { amountMinor } restock status } } }`;
const AUDIT = `query ($first: Int, $after: String, $filter: AuditLogFilter) {
  ordersAuditLog(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id domain action actorId actor { id } targetType targetId changes at } }
  }
}`;

interface AuditNode {
  id: string;
  domain: string;
  action: string;
  actorId: string;
  actor: { id: string } | null;
  targetType: string;
  targetId: string;
  changes: string;
  at: string;
}

const paymentRef = (order: OrderView) => ({ orderId: order.id, paymentId: randomUUID(), provider: 'local' });

/** Placed by `caller` (default alice) from a fake cart, driven to CONFIRMED and captured. */
async function confirmedOrder(caller: Caller = who.alice, lines?: Parameters<typeof placeOrder>[2]): Promise<OrderView> {
  const order = await placeOrder(server, caller, lines);
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
  await handle(server.db, saga.onPaymentCaptured, envelope(PaymentCaptured, { ...payment, capturedAt: iso() }));
  return readOrder(server, who.admin, order.id);
}

const refundedEvent = (order: OrderView, refundRequestId: string, amountMinor: number, refundedTotalMinor: number) =>
  envelope(PaymentRefunded, {
    ...paymentRef(order),
    refundRequestId,
    refundId: `re_${randomUUID().slice(0, 8)}`,
    currency: 'USD',
    amountMinor,
    refundedTotalMinor,
    refundedAt: iso(),
  });

describe('orders(filter) for the console', () => {
  let orders: OrderView[];
  let guest: { id: string; email: string };

  beforeAll(async () => {
    await truncateAll(server.db);
    orders = [await placeOrder(server, who.alice), await confirmedOrder(who.bob), await placeOrder(server, who.alice), await confirmedOrder(who.alice)];
    await server.ok(CANCEL, { token: who.admin.token, variables: { id: orders[2]!.id, reason: 'Out of stock' } });
    const { cart, cartToken } = server.carts.addGuestCart();
    const placed = await server.ok<{ placeOrder: { id: string; email: string } }>(PLACE_ORDER, {
      variables: { input: placeInput(cart.id, { cartToken, email: 'Guest.Buyer@Example.test' }) },
    });
    guest = placed.placeOrder;
  });

  const list = async (variables: Record<string, unknown>) =>
    (await server.ok<{ orders: Connection<{ id: string; number: string; status: string; email: string; user: { id: string } | null }> }>(ADMIN_ORDERS, {
      token: who.admin.token,
      variables,
    })).orders;
  const ids = (connection: Connection<{ id: string }>) => connection.edges.map((edge) => edge.node.id);

  it('lists newest first with the total, and narrows by statuses, customer, email, number and placement dates', async () => {
    const all = await list({ first: 10 });
    expect(ids(all)).toEqual([guest.id, ...[...orders].reverse().map((order) => order.id)]);
    expect(all.totalCount).toBe(5);

    const open = await list({ filter: { statuses: ['CONFIRMED', 'CANCELLED'] } });
    expect(ids(open)).toEqual([orders[3]!.id, orders[2]!.id, orders[1]!.id]);
    expect(open.totalCount).toBe(3);
    // status and statuses both hold.
    expect(ids(await list({ filter: { status: 'CONFIRMED', statuses: ['CONFIRMED', 'CANCELLED'] } }))).toEqual([orders[3]!.id, orders[1]!.id]);

    const alices = await list({ filter: { customerId: who.alice.userId }, first: 2 });
    expect(ids(alices)).toEqual([orders[3]!.id, orders[2]!.id]);
    expect(alices.totalCount).toBe(3);
    expect(alices.pageInfo.hasNextPage).toBe(true);
    const rest = await list({ filter: { customerId: who.alice.userId }, first: 2, after: alices.pageInfo.endCursor });
    expect(ids(rest)).toEqual([orders[0]!.id]);
    expect(rest.totalCount).toBe(3);

    expect(ids(await list({ filter: { customerEmail: '  GUEST.buyer@example.TEST ' } }))).toEqual([guest.id]);
    const byNumber = await list({ filter: { number: `#${orders[1]!.number}` } });
    expect(byNumber.edges.map((edge) => edge.node)).toMatchObject([{ id: orders[1]!.id, user: { id: who.bob.userId } }]);
    expect(byNumber.totalCount).toBe(1);
    expect(ids(await list({ filter: { number: orders[1]!.number, customerId: who.alice.userId } }))).toEqual([]);

    // Placement dates: [placedFrom, placedTo).
    await server.db.order.update({ where: { id: orders[0]!.id }, data: { placedAt: new Date('2026-01-10T12:00:00Z') } });
    await server.db.order.update({ where: { id: orders[1]!.id }, data: { placedAt: new Date('2026-01-11T00:00:00Z') } });
    const january = await list({ filter: { placedFrom: '2026-01-10T00:00:00Z', placedTo: '2026-01-11T00:00:00Z' } });
    expect(ids(january)).toEqual([orders[0]!.id]);
    expect(january.totalCount).toBe(1);
    expect(ids(await list({ filter: { placedFrom: '2026-01-10T00:00:00Z', placedTo: '2026-02-01T00:00:00Z', customerId: who.bob.userId } }))).toEqual([
      orders[1]!.id,
    ]);
    expect((await list({ filter: { placedTo: '2026-02-01T00:00:00Z' } })).totalCount).toBe(2);
  });

  it('answers malformed filters with BAD_USER_INPUT naming the field, and refuses non-admins', async () => {
    for (const [filter, field] of [
      [{ number: 'abc' }, 'filter.number'],
      [{ customerId: 'nope' }, 'filter.customerId'],
      [{ customerEmail: 'not an email' }, 'filter.customerEmail'],
      [{ placedFrom: '2026-02-01T00:00:00Z', placedTo: '2026-01-01T00:00:00Z' }, 'filter.placedTo'],
    ] as const) {
      const result = await server.gql(ADMIN_ORDERS, { token: who.admin.token, variables: { filter } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(errorCode(await server.gql(ADMIN_ORDERS, { token: who.alice.token, variables: { filter: { customerId: who.alice.userId } } }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await server.gql(ADMIN_ORDERS, { variables: {} }))).toBe('UNAUTHENTICATED');
  });

  it('costs a constant number of statements: the page, the count, and one per relation', async () => {
    server.queries.length = 0;
    const page = await list({ first: 10, filter: { statuses: ['PENDING', 'CONFIRMED', 'CANCELLED'], placedFrom: '2020-01-01T00:00:00Z' } });
    expect(page.edges).toHaveLength(5);
    const touching = (table: string) => server.queries.filter((sql) => sql.includes(`"${table}"`)).length;
    expect(touching('order_lines')).toBe(1);
    expect(touching('order_transitions')).toBe(1);
    expect(server.queries.length).toBe(4);
  });
});

describe('order detail: timeline actors and refund lines', () => {
  it('names the user behind each transition (customer, admin), none for the saga', async () => {
    const order = await confirmedOrder();
    await server.ok(FULFIL, { token: who.admin.token, variables: { id: order.id } });
    const data = await server.ok<{ order: { timeline: { from: string | null; to: string; actor: string; actedBy: { id: string } | null }[] } }>(DETAIL, {
      token: who.admin.token,
      variables: { id: order.id },
    });
    expect(data.order.timeline.map(({ to, actor, actedBy }) => [to, actor, actedBy?.id ?? null])).toEqual([
      ['PENDING', who.alice.userId, who.alice.userId],
      ['STOCK_RESERVED', 'system', null],
      ['PAYMENT_AUTHORIZED', 'system', null],
      ['CONFIRMED', 'system', null],
      ['FULFILLED', who.admin.userId, who.admin.userId],
    ]);
  });
});

describe('refundOrder by line', () => {
  it('refunds named units at their unit prices without restock: order.refunded carries no units for inventory', async () => {
    // Line 0: 3 × 1200; line 1: 2 × 2500.
    const order = await confirmedOrder(who.alice, [
      { quantity: 3, unitPriceMinor: 1200 },
      { quantity: 2, unitPriceMinor: 2500 },
    ]);
    const [first, second] = order.lines;
    const data = await server.ok<{
      refundOrder: Omit<OrderView, 'lines' | 'refunds'> & {
        lines: { id: string; refundedQuantity: number; returnedQuantity: number }[];
        refunds: { id: string; byLine: boolean; requestedBy: { id: string }; lines: { orderLineId: string; variant: { id: string }; quantity: number }[]; amount: { amountMinor: number }; restock: boolean }[];
      };
    }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'Arrived broken, kept by the customer', lines: [{ lineId: first!.id, quantity: 2 }, { lineId: second!.id, quantity: 1 }] } },
    });
    const [refund] = data.refundOrder.refunds;
    expect(refund).toMatchObject({
      byLine: true,
      restock: false,
      amount: { amountMinor: 2 * 1200 + 2500 },
      requestedBy: { id: who.admin.userId },
      lines: [
        { orderLineId: first!.id, variant: { id: first!.variant.id }, quantity: 2 },
        { orderLineId: second!.id, variant: { id: second!.variant.id }, quantity: 1 },
      ],
    });
    expect(data.refundOrder.lines.map((line) => [line.refundedQuantity, line.returnedQuantity])).toEqual([
      [2, 0],
      [1, 0],
    ]);
    const [requested] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refund_requested');
    expect(requested?.envelope.payload).toMatchObject({ amountMinor: 4900, restock: false });

    // A unit is refunded by line once: line 0 has one unit left.
    const twice = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'again', lines: [{ lineId: first!.id, quantity: 2 }] } },
    });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines[0].quantity' });

    await handle(server.db, saga.onPaymentRefunded, refundedEvent(order, refund!.id, 4900, 4900));
    const [refunded] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refunded');
    expect(refunded?.envelope.payload).toMatchObject({ amountMinor: 4900, restock: false, lines: [] });
    expect((await readOrder(server, who.admin, order.id)).status).toBe('CONFIRMED');
  });

  it('with restock, the named units go to inventory through order.refunded; a failed refund frees them again', async () => {
    const order = await confirmedOrder(who.alice, [{ quantity: 2, unitPriceMinor: 1000 }, { quantity: 1, unitPriceMinor: 3000 }]);
    const [first, second] = order.lines;
    const data = await server.ok<{ refundOrder: { refunds: { id: string; amount: { amountMinor: number } }[] } }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: true, reason: 'Returned', lines: [{ lineId: second!.id, quantity: 1 }] } },
    });
    const request = data.refundOrder.refunds[0]!;
    expect(request.amount.amountMinor).toBe(3000);
    await handle(
      server.db,
      saga.onPaymentRefundFailed,
      envelope(PaymentRefundFailed, { ...paymentRef(order), refundRequestId: request.id, reason: 'card closed', failedAt: iso() }),
    );
    let detail = await server.ok<{ order: { lines: { refundedQuantity: number; returnedQuantity: number }[] } }>(DETAIL, {
      token: who.admin.token,
      variables: { id: order.id },
    });
    expect(detail.order.lines.map((line) => [line.refundedQuantity, line.returnedQuantity])).toEqual([
      [0, 0],
      [0, 0],
    ]);

    const retry = await server.ok<{ refundOrder: { refunds: { id: string }[] } }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, restock: true, reason: 'Returned', lines: [{ lineId: first!.id, quantity: 1 }, { lineId: second!.id, quantity: 1 }] } },
    });
    const second_ = retry.refundOrder.refunds[1]!;
    await handle(server.db, saga.onPaymentRefunded, refundedEvent(order, second_.id, 4000, 4000));
    const [refunded] = (await outboxRows(server.db, order.id)).filter((row) => row.event_type === 'order.refunded');
    expect(refunded?.envelope.payload).toMatchObject({
      amountMinor: 4000,
      restock: true,
      lines: [
        { variantId: first!.variant.id, quantity: 1 },
        { variantId: second!.variant.id, quantity: 1 },
      ],
    });
    detail = await server.ok(DETAIL, { token: who.admin.token, variables: { id: order.id } });
    expect(detail.order.lines.map((line) => [line.refundedQuantity, line.returnedQuantity])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it('refuses more than captured (BAD_USER_INPUT on lines, or amountMinor when given); a full refund stays the default', async () => {
    const order = await confirmedOrder(who.alice, [{ quantity: 2, unitPriceMinor: 5000 }]);
    // Captured is the order total: 2 × 5000 − 10% + 250 tax + 499 shipping = 9749 < 10000 for both units.
    expect(order.capturedAmount.amountMinor).toBe(9749);
    const [line] = order.lines;
    const tooMuch = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'x', lines: [{ lineId: line!.id, quantity: 2 }] } },
    });
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines' });
    const tooMuchAmount = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'x', amountMinor: 9750 } },
    });
    expect(tooMuchAmount.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amountMinor' });
    const unknown = await server.gql(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'x', lines: [{ lineId: randomUUID(), quantity: 1 }] } },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines[0].lineId' });
    expect(await server.db.refundRequest.count({ where: { orderId: order.id } })).toBe(0);

    // The given amount wins over the lines' prices (e.g. to account for the discount), the lines still count.
    const byLine = await server.ok<{ refundOrder: { refunds: { amount: { amountMinor: number }; byLine: boolean }[] } }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'one back', amountMinor: 4500, lines: [{ lineId: line!.id, quantity: 1 }] } },
    });
    expect(byLine.refundOrder.refunds[0]).toMatchObject({ amount: { amountMinor: 4500 }, byLine: true });
    // No lines, no amount, restock left out (false): everything left.
    const full = await server.ok<{ refundOrder: { refunds: { amount: { amountMinor: number }; byLine: boolean; restock: boolean }[] } }>(REFUND, {
      token: who.admin.token,
      variables: { input: { orderId: order.id, reason: 'the rest' } },
    });
    expect(full.refundOrder.refunds[1]).toMatchObject({ amount: { amountMinor: 9749 - 4500 }, byLine: false, restock: false });
  });
});

describe('orderStats', () => {
  const STATS = `query ($from: DateTime!, $to: DateTime!, $timeZone: String) {
    orderStats(from: $from, to: $to, timeZone: $timeZone) {
      from to timeZone orders confirmed cancelled paymentFailed
      revenue { amountMinor currency }
      byStatus { status count }
      days { date orders confirmed cancelled paymentFailed revenue { amountMinor currency } }
    }
  }`;

  /** An order placed at `placedAt`, now in `status`, with the given transitions in its timeline. */
  async function pastOrder(placedAt: string, status: OrderStatus, options: { currency?: string; totalMinor?: number; refundedMinor?: number; through?: OrderStatus[] } = {}) {
    const path: OrderStatus[] = ['PENDING', ...(options.through ?? []), ...(status === 'PENDING' ? [] : [status])];
    return server.db.order.create({
      data: {
        userId: who.alice.userId,
        cartId: randomUUID(),
        idempotencyKey: randomUUID(),
        status,
        version: path.length,
        currency: options.currency ?? 'USD',
        subtotalMinor: options.totalMinor ?? 1000,
        discountMinor: 0,
        taxMinor: 0,
        shippingMinor: 0,
        totalMinor: options.totalMinor ?? 1000,
        refundedMinor: options.refundedMinor ?? 0,
        shipFullName: 'Past Buyer',
        shipLine1: '1 Old St',
        shipCity: 'Oldtown',
        shipPostalCode: '12345',
        shipCountryCode: 'US',
        placedAt: new Date(placedAt),
        timeline: {
          create: path.map((to, index) => ({ seq: index + 1, fromStatus: index === 0 ? null : path[index - 1], toStatus: to, actor: 'system', at: new Date(placedAt) })),
        },
      },
    });
  }

  beforeAll(async () => {
    const paid: OrderStatus[] = ['STOCK_RESERVED', 'PAYMENT_AUTHORIZED'];
    // 2025-03-01 (UTC)
    await pastOrder('2025-03-01T09:00:00Z', 'CONFIRMED', { totalMinor: 1000, through: paid });
    await pastOrder('2025-03-01T10:00:00Z', 'DELIVERED', { totalMinor: 2500, refundedMinor: 500, through: [...paid, 'CONFIRMED', 'FULFILLED', 'SHIPPED'] });
    await pastOrder('2025-03-01T11:00:00Z', 'SHIPPED', { currency: 'EUR', totalMinor: 4000, through: [...paid, 'CONFIRMED', 'FULFILLED'] });
    await pastOrder('2025-03-01T12:00:00Z', 'PAYMENT_FAILED', { through: ['STOCK_RESERVED'] });
    // 2025-03-02: nothing. 2025-03-03:
    await pastOrder('2025-03-03T08:00:00Z', 'CANCELLED', { totalMinor: 3000, through: [...paid, 'CONFIRMED'] });
    await pastOrder('2025-03-03T23:30:00Z', 'REFUNDED', { totalMinor: 7000, refundedMinor: 7000, through: [...paid, 'CONFIRMED'] });
    await pastOrder('2025-03-03T23:45:00Z', 'PENDING');
    // Outside the period.
    await pastOrder('2025-03-04T00:00:00Z', 'CONFIRMED', { through: paid });
  });

  it('counts, revenue per currency, outcomes and a day series with empty days, in one statement', async () => {
    server.queries.length = 0;
    const { orderStats } = await server.ok<{ orderStats: Record<string, unknown> }>(STATS, {
      token: who.admin.token,
      variables: { from: '2025-03-01T00:00:00Z', to: '2025-03-04T00:00:00Z' },
    });
    expect(server.queries).toHaveLength(1);
    expect(orderStats).toEqual({
      from: '2025-03-01T00:00:00.000Z',
      to: '2025-03-04T00:00:00.000Z',
      timeZone: 'UTC',
      orders: 7,
      // Reached CONFIRMED: the confirmed, delivered, shipped, cancelled-after-confirmation and refunded ones.
      confirmed: 5,
      cancelled: 1,
      paymentFailed: 1,
      // USD: 1000 + (2500 − 500); EUR: 4000. Cancelled, refunded, failed and pending orders add nothing.
      revenue: [
        { amountMinor: 4000, currency: 'EUR' },
        { amountMinor: 3000, currency: 'USD' },
      ],
      byStatus: [
        { status: 'PENDING', count: 1 },
        { status: 'CONFIRMED', count: 1 },
        { status: 'SHIPPED', count: 1 },
        { status: 'DELIVERED', count: 1 },
        { status: 'CANCELLED', count: 1 },
        { status: 'PAYMENT_FAILED', count: 1 },
        { status: 'REFUNDED', count: 1 },
      ],
      days: [
        {
          date: '2025-03-01',
          orders: 4,
          confirmed: 3,
          cancelled: 0,
          paymentFailed: 1,
          revenue: [
            { amountMinor: 4000, currency: 'EUR' },
            { amountMinor: 3000, currency: 'USD' },
          ],
        },
        { date: '2025-03-02', orders: 0, confirmed: 0, cancelled: 0, paymentFailed: 0, revenue: [] },
        { date: '2025-03-03', orders: 3, confirmed: 2, cancelled: 1, paymentFailed: 0, revenue: [] },
      ],
    });
  });

  it('groups days in the given time zone', async () => {
    const { orderStats } = await server.ok<{ orderStats: { orders: number; days: { date: string; orders: number }[] } }>(STATS, {
      token: who.admin.token,
      // Berlin is UTC+1 in March 2025: 23:30Z and 23:45Z on the 3rd are the 4th there, and 2025-03-04T00:00Z too.
      variables: { from: '2025-03-02T23:00:00Z', to: '2025-03-04T23:00:00Z', timeZone: 'Europe/Berlin' },
    });
    expect(orderStats.days).toEqual([
      { date: '2025-03-03', orders: 1 },
      { date: '2025-03-04', orders: 3 },
    ].map((day) => expect.objectContaining(day)));
    expect(orderStats.orders).toBe(4);
  });

  it('refuses bad periods and time zones, and non-admins', async () => {
    for (const [variables, field] of [
      [{ from: '2025-03-02T00:00:00Z', to: '2025-03-01T00:00:00Z' }, 'to'],
      [{ from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, 'to'],
      [{ from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', timeZone: "UTC'; --" }, 'timeZone'],
    ] as const) {
      const result = await server.gql(STATS, { token: who.admin.token, variables });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const variables = { from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' };
    expect(errorCode(await server.gql(STATS, { token: who.alice.token, variables }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(STATS, { variables }))).toBe('UNAUTHENTICATED');
  });
});

describe('ordersAuditLog', () => {
  it('records each admin mutation once, with the actor, in its transaction; failed mutations and customers record nothing', async () => {
    await server.db.auditEntry.deleteMany();
    const order = await confirmedOrder();
    await server.ok(FULFIL, { token: who.admin.token, variables: { id: order.id } });
    await server.ok(SHIP, { token: who.admin.token, variables: { id: order.id, tracking: '1Z999' } });
    await server.ok(DELIVER, { token: who.admin.token, variables: { id: order.id } });
    await server.ok(REFUND, { token: who.admin.token, variables: { input: { orderId: order.id, reason: 'Returned', restock: true } } });
    const pending = await placeOrder(server, who.bob);
    await server.ok(CANCEL, { token: who.admin.token, variables: { id: pending.id, reason: 'Fraud check' } });
    // Refused: not in the log.
    expect(errorCode(await server.gql(FULFIL, { token: who.admin.token, variables: { id: pending.id } }))).toBe('INVALID_STATE_TRANSITION');
    expect(errorCode(await server.gql(FULFIL, { token: who.alice.token, variables: { id: order.id } }))).toBe('FORBIDDEN');
    await server.ok('mutation ($id: ID!) { cancelMyOrder(input: { orderId: $id }) { id } }', {
      token: who.alice.token,
      variables: { id: (await placeOrder(server, who.alice)).id },
    });

    const { ordersAuditLog: log } = await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, { token: who.admin.token, variables: {} });
    expect(log.totalCount).toBe(5);
    expect(log.edges.map((edge) => [edge.node.action, edge.node.targetId])).toEqual([
      ['cancelOrder', pending.id],
      ['refundOrder', order.id],
      ['markOrderDelivered', order.id],
      ['shipOrder', order.id],
      ['fulfillOrder', order.id],
    ]);
    for (const { node } of log.edges) {
      expect(node).toMatchObject({ domain: 'orders', actorId: who.admin.userId, actor: { id: who.admin.userId }, targetType: 'Order' });
    }
    const changes = Object.fromEntries(log.edges.map((edge) => [edge.node.action, JSON.parse(edge.node.changes)]));
    expect(changes.shipOrder).toEqual({
      before: { status: 'FULFILLED', trackingNumber: null },
      after: { status: 'SHIPPED', statusReason: 'Tracking number 1Z999', trackingNumber: '1Z999' },
    });
    expect(changes.cancelOrder).toEqual({ before: { status: 'PENDING' }, after: { status: 'CANCELLED', statusReason: 'Fraud check' } });
    expect(changes.refundOrder).toMatchObject({ amountMinor: order.total.amountMinor, currency: 'USD', input: { restock: true, reason: 'Returned' } });
    expect(changes.refundOrder.units).toHaveLength(order.lines.length);
  });

  it('filters and pages newest first, and is admin only', async () => {
    const all = (await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, { token: who.admin.token, variables: {} })).ordersAuditLog;
    const target = all.edges[1]!.node.targetId;
    const forOrder = (await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, {
      token: who.admin.token,
      variables: { filter: { targetType: 'Order', targetId: target } },
    })).ordersAuditLog;
    expect(forOrder.totalCount).toBe(4);
    const ships = (await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, {
      token: who.admin.token,
      variables: { filter: { action: 'shipOrder', actorId: who.admin.userId, since: '2020-01-01T00:00:00Z' } },
    })).ordersAuditLog;
    expect(ships.edges.map((edge) => edge.node.action)).toEqual(['shipOrder']);
    expect((await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, { token: who.admin.token, variables: { filter: { until: '2020-01-01T00:00:00Z' } } }))
      .ordersAuditLog.totalCount).toBe(0);

    const first = (await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, { token: who.admin.token, variables: { first: 3 } })).ordersAuditLog;
    const next = (await server.ok<{ ordersAuditLog: Connection<AuditNode> }>(AUDIT, {
      token: who.admin.token,
      variables: { first: 3, after: first.pageInfo.endCursor },
    })).ordersAuditLog;
    expect([...first.edges, ...next.edges].map((edge) => edge.node.id)).toEqual(all.edges.map((edge) => edge.node.id));
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(next.pageInfo.hasNextPage).toBe(false);

    expect(errorCode(await server.gql(AUDIT, { token: who.alice.token, variables: {} }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(AUDIT, { variables: {} }))).toBe('UNAUTHENTICATED');
    const bad = await server.gql(AUDIT, { token: who.admin.token, variables: { filter: { actorId: 'nope' } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.actorId' });
  });
});
