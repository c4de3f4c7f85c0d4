/**
 * The GraphQL contract: Order.payment through `_entities` (as the router asks
 * for it) guarded owner-or-admin, batched by a DataLoader; admin-only
 * Query.payment. Payments are set up through the saga with the local provider.
 */
import { errorCode, graphql, tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { LocalTestProvider } from '../src/service/providers/local-test-provider.js';
import { paymentsSubgraph } from '../src/subgraph.js';
import { events, newOrder, saga, silentLogger, testPrisma, truncateAll, type TestOrder } from './helpers.js';

let db: PaymentsPrisma;
let counted: PaymentsPrisma;
let queries: string[];
let server: RunningSubgraph;
let flow: ReturnType<typeof saga>;
let owner: { token: string; userId: string };
let stranger: { token: string; userId: string };
let admin: { token: string; userId: string };

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order {
      id
      payment {
        id status provider failureReason declineCode authorizedAt capturedAt
        amount { amountMinor currency }
        capturedAmount { amountMinor currency }
        refundedAmount { amountMinor currency }
      }
    }
  }
}`;

const entities = (orderIds: string[], token?: string) =>
  graphql<{ _entities: ({ id: string; payment: Record<string, unknown> | null } | null)[] }>(server.url, ENTITIES, {
    variables: { representations: orderIds.map((id) => ({ __typename: 'Order', id })) },
    ...(token ? { token } : {}),
  });

async function placeAndAuthorize(order: TestOrder): Promise<void> {
  await flow.deliver(events.orderPlaced(order));
  await flow.deliver(events.stockReserved(order));
}

beforeAll(async () => {
  queries = [];
  db = testPrisma();
  counted = testPrisma((sql) => queries.push(sql));
  await truncateAll(db);
  flow = saga(db, new LocalTestProvider());
  server = await startSubgraph(paymentsSubgraph({ prisma: counted, provider: { kind: 'local' }, relay: false, consumers: false, logger: silentLogger() }), {
    port: 0,
    host: '127.0.0.1',
  });
  owner = await tokenFor({ roles: ['CUSTOMER'] });
  stranger = await tokenFor({ roles: ['CUSTOMER'] });
  admin = await tokenFor({ roles: ['ADMIN'] });
});

afterAll(async () => {
  await server?.stop();
  await counted?.$disconnect();
  if (db) await truncateAll(db);
  await db?.$disconnect();
});

describe('Order.payment', () => {
  it('shows the owner their payment, with money and timestamps', async () => {
    const order = newOrder({ userId: owner.userId, totalMinor: 4321, currency: 'EUR' });
    await placeAndAuthorize(order);
    await flow.deliver(events.orderConfirmed(order));
    await flow.deliver(events.refundRequested(order, 321));
    const result = await entities([order.orderId], owner.token);
    expect(result.errors).toBeUndefined();
    const payment = result.data!._entities[0]!.payment!;
    expect(payment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      provider: 'local',
      failureReason: null,
      declineCode: null,
      amount: { amountMinor: 4321, currency: 'EUR' },
      capturedAmount: { amountMinor: 4321, currency: 'EUR' },
      refundedAmount: { amountMinor: 321, currency: 'EUR' },
    });
    expect(new Date(payment.authorizedAt as string).getTime()).toBeLessThanOrEqual(new Date(payment.capturedAt as string).getTime());
  });

  it('shows a decline with its code', async () => {
    const order = newOrder({ userId: owner.userId, token: 'pm_card_chargeDeclinedInsufficientFunds' });
    await placeAndAuthorize(order);
    const result = await entities([order.orderId], owner.token);
    expect(result.data!._entities[0]!.payment).toMatchObject({
      status: 'FAILED',
      declineCode: 'insufficient_funds',
      failureReason: 'Your card has insufficient funds.',
      capturedAmount: { amountMinor: 0 },
    });
  });

  it('is FORBIDDEN to another customer and UNAUTHENTICATED to an anonymous caller; an admin sees it', async () => {
    const order = newOrder({ userId: owner.userId });
    await placeAndAuthorize(order);
    const asStranger = await entities([order.orderId], stranger.token);
    expect(errorCode(asStranger)).toBe('FORBIDDEN');
    expect(asStranger.data?._entities[0]?.payment ?? null).toBeNull();
    expect(JSON.stringify(asStranger)).not.toContain('pm_card');
    expect(errorCode(await entities([order.orderId]))).toBe('UNAUTHENTICATED');
    const asAdmin = await entities([order.orderId], admin.token);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data!._entities[0]!.payment).toMatchObject({ status: 'AUTHORIZED' });
  });

  it('is null when payments has not seen the order placed', async () => {
    const unknown = newOrder();
    const reservedOnly = newOrder();
    await flow.deliver(events.stockReserved(reservedOnly));
    const result = await entities([unknown.orderId, reservedOnly.orderId, 'not-a-uuid'], owner.token);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((e) => e?.payment ?? null)).toEqual([null, null, null]);
  });

  it('loads the payments of many orders in one statement', async () => {
    const orders = Array.from({ length: 5 }, () => newOrder({ userId: owner.userId }));
    for (const order of orders) await placeAndAuthorize(order);
    queries.length = 0;
    const result = await entities(
      orders.map((o) => o.orderId),
      owner.token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((e) => e!.payment!.status)).toEqual(Array(5).fill('AUTHORIZED'));
    expect(queries.filter((sql) => /FROM "public"\."payments"/.test(sql))).toHaveLength(1);
  });
});

describe('Payment for the admin console: refund attempts and failures', () => {
  const DETAIL = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order { id payment { status failedAt voidedAt failedRefundCount
        refunds { id refundRequestId status amount { amountMinor currency } reason failureReason providerRefundId at } } }
    }
  }`;
  interface Detail {
    status: string;
    failedAt: string | null;
    voidedAt: string | null;
    failedRefundCount: number;
    refunds: { refundRequestId: string; status: string; amount: { amountMinor: number; currency: string }; reason: string; failureReason: string | null; providerRefundId: string | null; at: string }[];
  }
  const detail = (orderIds: string[]) =>
    graphql<{ _entities: { id: string; payment: Detail | null }[] }>(server.url, DETAIL, {
      token: admin.token,
      variables: { representations: orderIds.map((id) => ({ __typename: 'Order', id })) },
    });

  it('lists every refund attempt oldest first, the refused ones with their reason, and counts the failures', async () => {
    const order = newOrder({ userId: owner.userId, totalMinor: 5000, currency: 'EUR' });
    await placeAndAuthorize(order);
    await flow.deliver(events.orderConfirmed(order));
    const first = events.refundRequested(order, 1500);
    await flow.deliver(first);
    const tooMuch = events.refundRequested(order, 4000);
    await flow.deliver(tooMuch);
    const result = await detail([order.orderId]);
    expect(result.errors).toBeUndefined();
    const payment = result.data!._entities[0]!.payment!;
    expect(payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', failedAt: null, voidedAt: null, failedRefundCount: 1 });
    expect(payment.refunds).toEqual([
      {
        id: expect.any(String),
        refundRequestId: first.payload.refundRequestId,
        status: 'SUCCEEDED',
        amount: { amountMinor: 1500, currency: 'EUR' },
        reason: first.payload.reason,
        failureReason: null,
        providerRefundId: expect.stringMatching(/^re_/),
        at: expect.any(String),
      },
      {
        id: expect.any(String),
        refundRequestId: tooMuch.payload.refundRequestId,
        status: 'FAILED',
        amount: { amountMinor: 4000, currency: 'EUR' },
        reason: tooMuch.payload.reason,
        failureReason: 'The refund of 4000 exceeds what is left to refund (3500).',
        providerRefundId: null,
        at: expect.any(String),
      },
    ]);
  });

  it('dates a declined authorization, and loads the refunds of many payments in one statement', async () => {
    const declined = newOrder({ userId: owner.userId, token: 'pm_card_chargeDeclined' });
    await placeAndAuthorize(declined);
    const refunded = Array.from({ length: 3 }, () => newOrder({ userId: owner.userId, totalMinor: 2000 }));
    for (const order of refunded) {
      await placeAndAuthorize(order);
      await flow.deliver(events.orderConfirmed(order));
      await flow.deliver(events.refundRequested(order, 500));
    }
    queries.length = 0;
    const result = await detail([declined.orderId, ...refunded.map((order) => order.orderId)]);
    expect(result.errors).toBeUndefined();
    const [failed, ...others] = result.data!._entities.map((entity) => entity.payment!);
    expect(failed).toMatchObject({ status: 'FAILED', failedAt: expect.any(String), refunds: [], failedRefundCount: 0 });
    expect(others.map((payment) => payment.refunds.map((refund) => refund.amount.amountMinor))).toEqual([[500], [500], [500]]);
    expect(queries.filter((sql) => /FROM "public"\."payments"/.test(sql))).toHaveLength(1);
    expect(queries.filter((sql) => /FROM "public"\."refunds"/.test(sql))).toHaveLength(1);
  });
});

describe('Query.payment', () => {
  const QUERY = `query ($orderId: ID!) { payment(orderId: $orderId) { status amount { amountMinor currency } } }`;

  it('is for admins only', async () => {
    const order = newOrder({ userId: owner.userId, totalMinor: 999 });
    await placeAndAuthorize(order);
    const asAdmin = await graphql(server.url, QUERY, { token: admin.token, variables: { orderId: order.orderId } });
    expect(asAdmin.data).toEqual({ payment: { status: 'AUTHORIZED', amount: { amountMinor: 999, currency: 'USD' } } });
    expect(errorCode(await graphql(server.url, QUERY, { token: owner.token, variables: { orderId: order.orderId } }))).toBe('FORBIDDEN');
    expect(errorCode(await graphql(server.url, QUERY, { variables: { orderId: order.orderId } }))).toBe('UNAUTHENTICATED');
    const missing = await graphql(server.url, QUERY, { token: admin.token, variables: { orderId: newOrder().orderId } });
    expect(missing.data).toEqual({ payment: null });
  });

  it('exposes no mutation and no token field', async () => {
    const result = await graphql<{ __schema: { mutationType: null | { name: string } } }>(server.url, '{ __schema { mutationType { name } } }');
    expect(result.data!.__schema.mutationType).toBeNull();
    const token = await graphql(server.url, '{ payment(orderId: "x") { paymentMethodToken } }', { token: admin.token });
    expect(errorCode(token)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
