/**
 * HttpCartReader against a small local GraphQL server that answers the
 * CartForCheckout query with graphql-js over a schema shaped like the cart
 * subgraph's (so the exact query is validated, not just string-matched), and
 * placeOrder through the real subgraph with that reader: the caller's
 * Authorization header must reach the cart service.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityFromAuthorization } from '@commerce/auth';
import { databaseUrl } from '@commerce/config';
import { AppError } from '@commerce/errors';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { errorCode, graphql as post } from '@commerce/testing';
import { GraphQLError, buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CART_FOR_CHECKOUT_QUERY, HttpCartReader } from '../src/data/cart-client.js';
import { createOrdersPrisma, type OrdersPrisma } from '../src/data/prisma.js';
import { ordersSubgraph } from '../src/subgraph.js';
import { callers, outboxRows, PLACE_ORDER, placeInput, silentLogger, truncateAll, type Callers } from './helpers.js';

const CART_SDL = `
  enum CurrencyCode { USD EUR }
  type Money { amountMinor: Int! currency: CurrencyCode! }
  type ProductVariant { id: ID! }
  type CartLine { id: ID! variant: ProductVariant! quantity: Int! sku: String! productId: ID! title: String! unitPrice: Money! lineTotal: Money! available: Boolean! }
  type CartTotals { subtotal: Money! discount: Money! estimatedTax: Money! estimatedShipping: Money! total: Money! }
  type Cart { id: ID! currency: CurrencyCode! lines: [CartLine!]! discountCode: String totals: CartTotals! itemCount: Int! }
  type Query { cart(id: ID!, cartToken: String): Cart }
`;
const cartSchema = buildSchema(CART_SDL);

type Mode = 'normal' | 'forbidden' | 'unauthenticated' | 'internal' | 'bad-gateway' | 'slow' | 'malformed';

interface FakeCart {
  ownerId: string;
  value: Record<string, unknown>;
}

/** The cart service stand-in: owner checks on the forwarded token, like the real one. */
class FakeCartService {
  readonly carts = new Map<string, FakeCart>();
  readonly requests: { headers: http.IncomingHttpHeaders; body: { query: string; variables: Record<string, unknown>; operationName?: string } }[] = [];
  connections = 0;
  mode: Mode = 'normal';
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  addCart(ownerId: string, lines = 2): { id: string; value: Record<string, unknown> } {
    const id = randomUUID();
    const cartLines = Array.from({ length: lines }, (_, index) => ({
      id: randomUUID(),
      variant: { id: randomUUID() },
      quantity: index + 1,
      sku: `HTTP-${index}`,
      productId: randomUUID(),
      title: `Thing ${index}`,
      unitPrice: { amountMinor: 1000, currency: 'EUR' },
      lineTotal: { amountMinor: 1000 * (index + 1), currency: 'EUR' },
      available: true,
    }));
    const subtotal = cartLines.reduce((sum, line) => sum + line.lineTotal.amountMinor, 0);
    const value = {
      id,
      currency: 'EUR',
      discountCode: null,
      lines: cartLines,
      itemCount: lines,
      totals: {
        subtotal: { amountMinor: subtotal, currency: 'EUR' },
        discount: { amountMinor: 0, currency: 'EUR' },
        estimatedTax: { amountMinor: 190, currency: 'EUR' },
        estimatedShipping: { amountMinor: 0, currency: 'EUR' },
        total: { amountMinor: subtotal + 190, currency: 'EUR' },
      },
    };
    this.carts.set(id, { ownerId, value });
    return { id, value };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeCartService['requests'][number]['body'];
    this.requests.push({ headers: req.headers, body });
    const json = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    switch (this.mode) {
      case 'bad-gateway':
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        break;
      case 'internal':
        return json(200, { data: { cart: null }, errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      case 'unauthenticated':
        return json(200, { data: null, errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] });
      case 'malformed':
        return json(200, { data: { cart: { id: 'x', currency: 'EUR', lines: 'nope' } } });
      default:
        break;
    }
    const identity = await identityFromAuthorization(req.headers.authorization).catch(() => null);
    const result = await graphql({
      schema: cartSchema,
      source: body.query,
      variableValues: body.variables,
      operationName: body.operationName,
      rootValue: {
        cart: ({ id }: { id: string }) => {
          const cart = this.carts.get(id);
          if (!cart) return null;
          if (this.mode === 'forbidden' || cart.ownerId !== identity?.userId) {
            throw new GraphQLError('Not your cart', { extensions: { code: 'FORBIDDEN' } });
          }
          return cart.value;
        },
      },
    });
    json(200, result);
  }
}

let service: FakeCartService;
let reader: HttpCartReader;
let who: Callers;

beforeAll(async () => {
  service = new FakeCartService();
  await service.start();
  reader = new HttpCartReader({ url: service.url, timeoutMs: 300 });
  who = await callers();
});

afterAll(async () => {
  reader?.close();
  await service?.stop();
});

beforeEach(() => {
  service.mode = 'normal';
});

const auth = (token: string): string => `Bearer ${token}`;
const codeOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : error),
  );

describe('HttpCartReader', () => {
  it('sends the CartForCheckout query with the caller’s headers and maps the cart', async () => {
    const { id, value } = service.addCart(who.alice.userId);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const cart = await reader.readCart({ cartId: id, authorization: auth(who.alice.token), requestId: 'req-7', traceContext: { traceparent } });

    const request = service.requests.at(-1)!;
    expect(request.body).toEqual({ query: CART_FOR_CHECKOUT_QUERY, operationName: 'CartForCheckout', variables: { id } });
    expect(request.headers).toMatchObject({ authorization: auth(who.alice.token), 'x-request-id': 'req-7', traceparent, 'content-type': 'application/json' });

    const lines = value.lines as { id: string; variant: { id: string }; productId: string; sku: string; title: string; quantity: number }[];
    expect(cart).toEqual({
      id,
      currency: 'EUR',
      discountCode: null,
      lines: lines.map((line, index) => ({
        id: line.id,
        variantId: line.variant.id,
        productId: line.productId,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        unitPriceMinor: 1000,
        lineTotalMinor: 1000 * (index + 1),
      })),
      subtotalMinor: 3000,
      discountMinor: 0,
      taxMinor: 190,
      shippingMinor: 0,
      totalMinor: 3190,
    });
  });

  it('reuses its keep-alive connection', async () => {
    const { id } = service.addCart(who.alice.userId);
    const before = service.connections;
    for (let i = 0; i < 3; i++) await reader.readCart({ cartId: id, authorization: auth(who.alice.token) });
    expect(service.connections - before).toBeLessThanOrEqual(1);
  });

  it('maps a missing cart and someone else’s cart to NOT_FOUND, and no lines to CART_EMPTY', async () => {
    expect(await codeOf(reader.readCart({ cartId: randomUUID(), authorization: auth(who.alice.token) }))).toBe('NOT_FOUND');
    const bobs = service.addCart(who.bob.userId);
    expect(await codeOf(reader.readCart({ cartId: bobs.id, authorization: auth(who.alice.token) }))).toBe('NOT_FOUND');
    const empty = service.addCart(who.alice.userId, 0);
    expect(await codeOf(reader.readCart({ cartId: empty.id, authorization: auth(who.alice.token) }))).toBe('CART_EMPTY');
  });

  it('passes UNAUTHENTICATED on', async () => {
    service.mode = 'unauthenticated';
    expect(await codeOf(reader.readCart({ cartId: randomUUID(), authorization: auth(who.alice.token) }))).toBe('UNAUTHENTICATED');
  });

  it.each(['internal', 'bad-gateway', 'slow', 'malformed'] as const)('answers SERVICE_UNAVAILABLE when the cart service is %s', async (mode) => {
    const { id } = service.addCart(who.alice.userId);
    service.mode = mode;
    expect(await codeOf(reader.readCart({ cartId: id, authorization: auth(who.alice.token) }))).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers SERVICE_UNAVAILABLE when nothing listens', async () => {
    const idle = http.createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const port = (idle.address() as AddressInfo).port;
    await new Promise<void>((resolve) => idle.close(() => resolve()));
    const down = new HttpCartReader({ url: `http://127.0.0.1:${port}/graphql`, timeoutMs: 300 });
    try {
      expect(await codeOf(down.readCart({ cartId: randomUUID(), authorization: auth(who.alice.token) }))).toBe('SERVICE_UNAVAILABLE');
    } finally {
      down.close();
    }
  });
});

describe('placeOrder through the HTTP cart reader', () => {
  let db: OrdersPrisma;
  let running: RunningSubgraph;

  beforeAll(async () => {
    db = createOrdersPrisma({ databaseUrl: databaseUrl('orders', 'test') });
    await truncateAll(db);
    running = await startSubgraph(
      ordersSubgraph({ prisma: db, cartUrl: service.url, cartTimeoutMs: 300, relay: false, consumers: false, logger: silentLogger }),
      { port: 0, logger: silentLogger },
    );
  });

  afterAll(async () => {
    await running?.stop();
    if (db) await truncateAll(db);
    await db?.$disconnect();
  });

  it("forwards each caller's own Authorization header to the cart subgraph", async () => {
    const aliceCart = service.addCart(who.alice.userId);
    const bobCart = service.addCart(who.bob.userId);
    // Concurrent requests from two users: each forwards its own header.
    const [alice, bob] = await Promise.all([
      post<{ placeOrder: { id: string; total: { amountMinor: number; currency: string } } }>(running.url, PLACE_ORDER, {
        token: who.alice.token,
        variables: { input: placeInput(aliceCart.id) },
      }),
      post<{ placeOrder: { id: string } }>(running.url, PLACE_ORDER, { token: who.bob.token, variables: { input: placeInput(bobCart.id) } }),
    ]);
    expect(alice.errors).toBeUndefined();
    expect(bob.errors).toBeUndefined();
    expect(alice.data?.placeOrder.total).toEqual({ amountMinor: 3190, currency: 'EUR' });
    const seen = service.requests.filter((request) => [aliceCart.id, bobCart.id].includes(request.body.variables.id as string));
    expect(seen.map((request) => [request.body.variables.id, request.headers.authorization]).sort()).toEqual(
      [
        [aliceCart.id, auth(who.alice.token)],
        [bobCart.id, auth(who.bob.token)],
      ].sort(),
    );
    const placed = (await outboxRows(db, alice.data!.placeOrder.id)).find((row) => row.event_type === 'order.placed');
    expect(placed?.envelope.payload).toMatchObject({ cartId: aliceCart.id, currency: 'EUR', totalMinor: 3190 });
  });

  it('someone else’s cart is NOT_FOUND, and a cart service outage is SERVICE_UNAVAILABLE, with no order', async () => {
    const bobCart = service.addCart(who.bob.userId);
    const foreign = await post(running.url, PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(bobCart.id) } });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    service.mode = 'bad-gateway';
    const aliceCart = service.addCart(who.alice.userId);
    const down = await post(running.url, PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(aliceCart.id) } });
    expect(errorCode(down)).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(down.errors)).not.toContain('127.0.0.1');
    expect(await db.order.count({ where: { cartId: { in: [bobCart.id, aliceCart.id] } } })).toBe(0);
  });
});
