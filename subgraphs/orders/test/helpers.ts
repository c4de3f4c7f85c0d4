/**
 * Test harness: the real orders subgraph on an ephemeral port over the real
 * ecommerce_orders_test database, with an in-process CartReader (the HTTP
 * reader has its own test against a local GraphQL server) and a Prisma client
 * that records every SQL statement. The outbox relay and the saga consumer are
 * off unless a test asks for them: most tests look at outbox rows and call the
 * saga handlers directly.
 */
import { randomUUID } from 'node:crypto';
import { identityFromAuthorization } from '@commerce/auth';
import { databaseUrl } from '@commerce/config';
import { notFound } from '@commerce/errors';
import type { AnyEventDefinition, EnvelopeOf, EventPayloadInput } from '@commerce/events';
import { createLogger } from '@commerce/observability';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { graphql, graphqlOk, tokenFor, type GraphQLResponse, type RequestOptions } from '@commerce/testing';
import { cartEmpty, type CartReader, type CartReadRequest, type CheckoutCart } from '../src/data/cart-client.js';
import type { Order, OrderStatus } from '../src/generated/prisma/client.js';
import { createOrdersPrisma, type OrdersPrisma, type OrdersTx } from '../src/data/prisma.js';
import { ordersSubgraph, type OrdersSubgraphOptions } from '../src/subgraph.js';

export const silentLogger = createLogger({ service: 'orders-test', level: 'silent' });

/**
 * Carts kept in memory, answering like the cart subgraph: it verifies the
 * forwarded Authorization header and shows a cart to its owner only.
 */
export class FakeCartReader implements CartReader {
  /** `token` set: an anonymous cart, shown to whoever holds the token. */
  readonly carts = new Map<string, { ownerId: string; token?: string; cart: CheckoutCart }>();
  readonly calls: CartReadRequest[] = [];
  /** Makes every read wait (for concurrency tests). */
  delayMs = 0;
  /** Makes every read fail with this error. */
  failure: Error | undefined;

  async readCart(request: CartReadRequest): Promise<CheckoutCart> {
    this.calls.push(request);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failure) throw this.failure;
    const identity = await identityFromAuthorization(request.authorization);
    const entry = this.carts.get(request.cartId);
    const allowed = entry?.token !== undefined ? request.cartToken === entry.token : entry?.ownerId === identity?.userId;
    if (!entry || !allowed) throw notFound('Cart', request.cartId);
    if (entry.cart.lines.length === 0) throw cartEmpty();
    return structuredClone(entry.cart);
  }

  /** An anonymous cart and its token. */
  addGuestCart(lines?: Parameters<FakeCartReader['addCart']>[1]): { cart: CheckoutCart; cartToken: string } {
    const cart = this.addCart('anonymous', lines);
    const cartToken = randomUUID();
    this.carts.set(cart.id, { ownerId: 'anonymous', token: cartToken, cart });
    return { cart, cartToken };
  }

  /** A cart of `ownerId`: two lines by default, 10% discount, tax and shipping. */
  addCart(ownerId: string, lines: { sku?: string; quantity?: number; unitPriceMinor?: number; title?: string }[] = [{}, {}]): CheckoutCart {
    const cartLines = lines.map((line, index) => {
      const quantity = line.quantity ?? index + 1;
      const unitPriceMinor = line.unitPriceMinor ?? 1500 + index * 1000;
      return {
        id: randomUUID(),
        variantId: randomUUID(),
        productId: randomUUID(),
        sku: line.sku ?? `SKU-${index + 1}-${randomUUID().slice(0, 6)}`,
        title: line.title ?? `Product ${index + 1}`,
        quantity,
        unitPriceMinor,
        lineTotalMinor: quantity * unitPriceMinor,
      };
    });
    const subtotalMinor = cartLines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
    const discountMinor = Math.round(subtotalMinor / 10);
    const taxMinor = 250;
    const shippingMinor = 499;
    const cart: CheckoutCart = {
      id: randomUUID(),
      currency: 'USD',
      discountCode: 'TEN',
      lines: cartLines,
      subtotalMinor,
      discountMinor,
      taxMinor,
      shippingMinor,
      totalMinor: subtotalMinor - discountMinor + taxMinor + shippingMinor,
    };
    this.carts.set(cart.id, { ownerId, cart });
    return cart;
  }
}

export interface TestServer {
  url: string;
  db: OrdersPrisma;
  carts: FakeCartReader;
  /** Every SQL statement the subgraph's client sent, in order. */
  queries: string[];
  gql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  ok<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestServer(options: Partial<OrdersSubgraphOptions> = {}): Promise<TestServer> {
  const queries: string[] = [];
  const db = createOrdersPrisma({ databaseUrl: databaseUrl('orders', 'test'), onQuery: (sql) => queries.push(sql) });
  const carts = new FakeCartReader();
  const running: RunningSubgraph = await startSubgraph(
    ordersSubgraph({ prisma: db, cartReader: carts, relay: false, consumers: false, logger: silentLogger, ...options }),
    { port: 0, logger: silentLogger },
  );
  return {
    url: running.url,
    db,
    carts,
    queries,
    gql: (query, requestOptions) => graphql(running.url, query, requestOptions),
    ok: (query, requestOptions) => graphqlOk(running.url, query, requestOptions),
    async stop() {
      await running.stop();
      await db.$disconnect();
    },
  };
}

/** Every orders table, emptied; each test file starts from nothing. */
export async function truncateAll(db: OrdersPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE orders, order_lines, order_transitions, refund_requests, refund_request_lines, outbox_events, processed_events RESTART IDENTITY CASCADE',
  );
}

export interface Caller {
  token: string;
  userId: string;
}

export interface Callers {
  admin: Caller;
  alice: Caller;
  bob: Caller;
}

export async function callers(): Promise<Callers> {
  return {
    admin: await tokenFor({ roles: ['ADMIN'] }),
    alice: await tokenFor({ roles: ['CUSTOMER'] }),
    bob: await tokenFor({ roles: ['CUSTOMER'] }),
  };
}

export interface OutboxRow {
  event_type: string;
  topic: string;
  aggregate_id: string;
  envelope: { eventId: string; type: string; aggregateId: string; payload: Record<string, unknown>; traceparent?: string };
}

export const outboxRows = (db: OrdersPrisma, aggregateId?: string): Promise<OutboxRow[]> =>
  aggregateId
    ? db.$queryRaw<OutboxRow[]>`SELECT event_type, topic, aggregate_id, envelope FROM outbox_events WHERE aggregate_id = ${aggregateId} ORDER BY position`
    : db.$queryRaw<OutboxRow[]>`SELECT event_type, topic, aggregate_id, envelope FROM outbox_events ORDER BY position`;

export const eventTypes = async (db: OrdersPrisma, aggregateId: string): Promise<string[]> =>
  (await outboxRows(db, aggregateId)).map((row) => row.event_type);

export const ORDER_FIELDS = `id number status statusReason currency discountCode
  lines { id variant { id } productId sku title quantity unitPrice { amountMinor currency } lineTotal { amountMinor currency } }
  subtotal { amountMinor currency } discount { amountMinor } tax { amountMinor } shipping { amountMinor } total { amountMinor currency }
  shippingAddress { fullName line1 line2 city region postalCode countryCode phone }
  timeline { from to reason actor at }
  placedAt updatedAt trackingNumber capturedAmount { amountMinor } capturedAt refundedAmount { amountMinor currency }
  refunds { id amount { amountMinor currency } restock reason status requestedAt completedAt failureReason }
  user { id } email`;

export interface OrderView {
  id: string;
  number: string;
  status: string;
  statusReason: string | null;
  currency: string;
  discountCode: string | null;
  lines: {
    id: string;
    variant: { id: string };
    productId: string;
    sku: string;
    title: string;
    quantity: number;
    unitPrice: { amountMinor: number; currency: string };
    lineTotal: { amountMinor: number; currency: string };
  }[];
  subtotal: { amountMinor: number; currency: string };
  discount: { amountMinor: number };
  tax: { amountMinor: number };
  shipping: { amountMinor: number };
  total: { amountMinor: number; currency: string };
  shippingAddress: Record<string, string | null>;
  timeline: { from: string | null; to: string; reason: string | null; actor: string; at: string }[];
  placedAt: string;
  updatedAt: string;
  trackingNumber: string | null;
  capturedAmount: { amountMinor: number };
  capturedAt: string | null;
  refundedAmount: { amountMinor: number; currency: string };
  refunds: { id: string; amount: { amountMinor: number }; restock: boolean; reason: string; status: string; completedAt: string | null; failureReason: string | null }[];
  user: { id: string } | null;
  email: string | null;
}

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

export const address = {
  fullName: 'Alice Example',
  line1: '1 Main St',
  line2: 'Apt 2',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  countryCode: 'us',
  phone: '+1 555 0100',
};

export function placeInput(cartId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { cartId, shippingAddress: address, idempotencyKey: randomUUID(), paymentMethodToken: 'pm_card_visa', ...overrides };
}

/** Places an order for `caller` from a new fake cart; returns the order as the API shows it. */
export async function placeOrder(server: TestServer, caller: Caller, cartLines?: Parameters<FakeCartReader['addCart']>[1]): Promise<OrderView> {
  const cart = server.carts.addCart(caller.userId, cartLines);
  const data = await server.ok<{ placeOrder: OrderView }>(PLACE_ORDER, { token: caller.token, variables: { input: placeInput(cart.id) } });
  return data.placeOrder;
}

export async function readOrder(server: TestServer, caller: Caller, id: string): Promise<OrderView> {
  const data = await server.ok<{ order: OrderView | null }>(ORDER, { token: caller.token, variables: { id } });
  if (!data.order) throw new Error(`order ${id} not visible to ${caller.userId}`);
  return data.order;
}

let sequence = 0;

/** An envelope as the consumer hands it to a handler (already validated). */
export function envelope<D extends AnyEventDefinition>(definition: D, payload: EventPayloadInput<D>, eventId: string = randomUUID()): EnvelopeOf<D> {
  return {
    eventId,
    type: definition.type,
    version: definition.version,
    occurredAt: new Date(Date.now() + ++sequence).toISOString(),
    aggregateId: (payload as { orderId: string }).orderId,
    payload: definition.parse(payload),
  } as EnvelopeOf<D>;
}

/** Runs a saga handler the way the consumer does: in one transaction. */
export function handle<E>(
  db: OrdersPrisma,
  handler: (tx: OrdersTx, event: E, logger: typeof silentLogger) => Promise<void>,
  event: E,
): Promise<void> {
  return db.$transaction((tx) => handler(tx, event, silentLogger));
}

export const iso = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();

/** An order written straight to the database in any status (for state-machine tests). */
export async function insertOrder(
  db: OrdersPrisma,
  options: { userId?: string; status?: OrderStatus; capturedMinor?: number; totalMinor?: number } = {},
): Promise<Order> {
  const userId = options.userId ?? randomUUID();
  const totalMinor = options.totalMinor ?? 5000;
  return db.order.create({
    data: {
      userId,
      cartId: randomUUID(),
      idempotencyKey: randomUUID(),
      status: options.status ?? 'PENDING',
      currency: 'USD',
      subtotalMinor: totalMinor,
      discountMinor: 0,
      taxMinor: 0,
      shippingMinor: 0,
      totalMinor,
      capturedMinor: options.capturedMinor ?? 0,
      shipFullName: 'Test Buyer',
      shipLine1: '1 Test St',
      shipCity: 'Testville',
      shipPostalCode: '12345',
      shipCountryCode: 'US',
      lines: {
        create: [
          { position: 0, variantId: randomUUID(), productId: randomUUID(), sku: 'T-1', title: 'Thing', quantity: 2, unitPriceMinor: 1000, lineTotalMinor: 2000 },
          { position: 1, variantId: randomUUID(), productId: randomUUID(), sku: 'T-2', title: 'Other', quantity: 1, unitPriceMinor: 3000, lineTotalMinor: 3000 },
        ],
      },
      timeline: { create: [{ seq: 1, fromStatus: null, toStatus: 'PENDING', actor: userId }] },
    },
  });
}
