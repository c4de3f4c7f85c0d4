import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '@commerce/errors';
import { OrderPlaced, OrderStatusChanged } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callers,
  eventTypes,
  outboxRows,
  PLACE_ORDER,
  placeInput,
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

type Placed = { placeOrder: OrderView };

describe('placeOrder', () => {
  it('snapshots the cart lines, prices and address, and writes order.placed + order.status_changed in the same transaction', async () => {
    const cart = server.carts.addCart(who.alice.userId, [
      { quantity: 2, unitPriceMinor: 1999, title: 'Linen Shirt' },
      { quantity: 1, unitPriceMinor: 4500, title: 'Wool Jacket' },
    ]);
    const data = await server.ok<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(cart.id) } });
    const order = data.placeOrder;

    expect(order.status).toBe('PENDING');
    expect(order.user?.id).toBe(who.alice.userId);
    expect(order.currency).toBe('USD');
    expect(order.discountCode).toBe('TEN');
    expect(order.lines).toEqual(
      cart.lines.map((line) => ({
        id: expect.any(String),
        variant: { id: line.variantId },
        productId: line.productId,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        unitPrice: { amountMinor: line.unitPriceMinor, currency: 'USD' },
        lineTotal: { amountMinor: line.lineTotalMinor, currency: 'USD' },
      })),
    );
    expect(order.subtotal).toEqual({ amountMinor: 8498, currency: 'USD' });
    expect(order.discount.amountMinor).toBe(850);
    expect(order.tax.amountMinor).toBe(250);
    expect(order.shipping.amountMinor).toBe(499);
    expect(order.total).toEqual({ amountMinor: 8498 - 850 + 250 + 499, currency: 'USD' });
    expect(order.shippingAddress).toEqual({
      fullName: 'Alice Example',
      line1: '1 Main St',
      line2: 'Apt 2',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      countryCode: 'US',
      phone: '+1 555 0100',
    });
    expect(order.timeline).toEqual([{ from: null, to: 'PENDING', reason: null, actor: who.alice.userId, at: order.placedAt }]);
    expect(order.capturedAmount.amountMinor).toBe(0);
    expect(order.refundedAmount).toEqual({ amountMinor: 0, currency: 'USD' });

    // Later cart price changes never touch the order.
    const stored = server.carts.carts.get(cart.id);
    if (stored) stored.cart.lines[0]!.unitPriceMinor = 1;
    const again = await server.ok<{ order: OrderView }>(`query ($id: ID!) { order(id: $id) { lines { unitPrice { amountMinor } } } }`, {
      token: who.alice.token,
      variables: { id: order.id },
    });
    expect(again.order.lines[0]!.unitPrice.amountMinor).toBe(1999);

    const rows = await outboxRows(server.db, order.id);
    expect(rows.map((row) => [row.event_type, row.topic])).toEqual([
      ['order.placed', OrderPlaced.topic],
      ['order.status_changed', OrderStatusChanged.topic],
    ]);
    const placed = rows[0]!.envelope.payload;
    expect(placed).toMatchObject({
      orderId: order.id,
      userId: who.alice.userId,
      cartId: cart.id,
      currency: 'USD',
      subtotalMinor: 8498,
      discountMinor: 850,
      taxMinor: 250,
      shippingMinor: 499,
      totalMinor: order.total.amountMinor,
      paymentMethodToken: 'pm_card_visa',
      placedAt: order.placedAt,
    });
    expect(placed.lines).toEqual(
      order.lines.map((line) => ({
        lineId: line.id,
        productId: line.productId,
        variantId: line.variant.id,
        sku: line.sku,
        name: line.title,
        quantity: line.quantity,
        unitPriceMinor: line.unitPrice.amountMinor,
        lineTotalMinor: line.lineTotal.amountMinor,
      })),
    );
    expect(rows[1]!.envelope.payload).toMatchObject({ orderId: order.id, userId: who.alice.userId, from: null, to: 'PENDING', reason: null });

    // The token travels in order.placed only: no orders column holds it.
    const columns = await server.db.$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'order%'`;
    expect(columns.map((c) => c.column_name).filter((name) => name.includes('token'))).toEqual([]);
  });

  it("forwards the caller's Authorization header, request id and trace context to the cart reader", async () => {
    const cart = server.carts.addCart(who.alice.userId);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await server.ok<Placed>(PLACE_ORDER, {
      token: who.alice.token,
      variables: { input: placeInput(cart.id) },
      headers: { 'x-request-id': 'req-place-1', traceparent },
    });
    const call = server.carts.calls.at(-1);
    expect(call).toMatchObject({ cartId: cart.id, authorization: `Bearer ${who.alice.token}`, requestId: 'req-place-1' });
    expect(call?.traceContext?.traceparent).toBe(traceparent);
    const [placed] = await outboxRows(server.db);
    expect(placed).toBeDefined();
    const rows = await server.db.$queryRaw<{ envelope: { traceparent?: string } }[]>`
      SELECT envelope FROM outbox_events WHERE envelope->'payload'->>'cartId' = ${cart.id}`;
    expect(rows[0]?.envelope.traceparent).toBe(traceparent);
  });

  it('returns the same order for the same key, without reading the cart again', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    const input = placeInput(cart.id);
    const first = await server.ok<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input } });
    const reads = server.carts.calls.length;
    // The cart subgraph empties the cart on order.placed; the repeat must not care.
    server.carts.carts.delete(cart.id);
    const second = await server.ok<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input } });
    expect(second.placeOrder.id).toBe(first.placeOrder.id);
    expect(server.carts.calls.length).toBe(reads);
    expect(await eventTypes(server.db, first.placeOrder.id)).toEqual(['order.placed', 'order.status_changed']);
  });

  it('creates exactly one order for 10 concurrent submits of one key', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    const input = placeInput(cart.id);
    // Every request reads the cart before any insert: they all race on the unique index.
    server.carts.delayMs = 100;
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => server.gql<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input } })),
      );
      for (const result of results) expect(result.errors).toBeUndefined();
      const ids = new Set(results.map((result) => result.data?.placeOrder.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      expect(await server.db.order.count({ where: { userId: who.alice.userId, idempotencyKey: input.idempotencyKey as string } })).toBe(1);
      expect(await eventTypes(server.db, id as string)).toEqual(['order.placed', 'order.status_changed']);
      expect(await server.db.orderLine.count({ where: { orderId: id as string } })).toBe(2);
    } finally {
      server.carts.delayMs = 0;
    }
  });

  it('keys are per user: another user may use the same key', async () => {
    const key = `shared-${randomUUID()}`;
    const aliceCart = server.carts.addCart(who.alice.userId);
    const bobCart = server.carts.addCart(who.bob.userId);
    const a = await server.ok<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(aliceCart.id, { idempotencyKey: key }) } });
    const b = await server.ok<Placed>(PLACE_ORDER, { token: who.bob.token, variables: { input: placeInput(bobCart.id, { idempotencyKey: key }) } });
    expect(a.placeOrder.id).not.toBe(b.placeOrder.id);
  });

  it('refuses the same key with another cart: IDEMPOTENCY_KEY_REUSED', async () => {
    const first = server.carts.addCart(who.alice.userId);
    const other = server.carts.addCart(who.alice.userId);
    const key = randomUUID();
    await server.ok<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(first.id, { idempotencyKey: key }) } });
    const before = await server.db.order.count();
    const reused = await server.gql<Placed>(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(other.id, { idempotencyKey: key }) } });
    expect(errorCode(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.errors?.[0]?.extensions?.field).toBe('idempotencyKey');
    expect(await server.db.order.count()).toBe(before);
  });

  it('maps cart problems: NOT_FOUND (unknown, malformed or someone else’s cart), CART_EMPTY, SERVICE_UNAVAILABLE', async () => {
    const before = await server.db.order.count();
    const unknown = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(randomUUID()) } });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const malformed = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput('not-a-cart') } });
    expect(errorCode(malformed)).toBe('NOT_FOUND');
    const bobs = server.carts.addCart(who.bob.userId);
    const foreign = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(bobs.id) } });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const empty = server.carts.addCart(who.alice.userId, []);
    const emptied = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(empty.id) } });
    expect(errorCode(emptied)).toBe('CART_EMPTY');

    server.carts.failure = new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The cart service is unavailable. Please try again.');
    try {
      const down = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(server.carts.addCart(who.alice.userId).id) } });
      expect(errorCode(down)).toBe('SERVICE_UNAVAILABLE');
    } finally {
      server.carts.failure = undefined;
    }
    expect(await server.db.order.count()).toBe(before);
  });

  it('is for signed-in users only', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    const anonymous = await server.gql(PLACE_ORDER, { variables: { input: placeInput(cart.id) } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('validates the address, key and token before reading the cart', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    const reads = server.carts.calls.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ shippingAddress: { fullName: ' ', line1: 'x', city: 'y', postalCode: '1', countryCode: 'US' } }, 'shippingAddress.fullName'],
      [{ shippingAddress: { fullName: 'A', line1: 'x', city: 'y', postalCode: '1', countryCode: 'USA' } }, 'shippingAddress.countryCode'],
      [{ shippingAddress: { fullName: 'A', line1: 'x', city: 'y', postalCode: '1', countryCode: 'US', phone: 'call me' } }, 'shippingAddress.phone'],
      [{ idempotencyKey: '' }, 'idempotencyKey'],
      [{ idempotencyKey: 'k'.repeat(201) }, 'idempotencyKey'],
      [{ paymentMethodToken: '4242 4242 4242 4242' }, 'paymentMethodToken'],
    ];
    for (const [overrides, field] of cases) {
      const result = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(cart.id, overrides) } });
      expect(errorCode(result), field).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(server.carts.calls.length).toBe(reads);
  });

  it('refuses a cart with unavailable lines (priced 0 by the cart and left out of its totals)', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    cart.lines[1]!.unitPriceMinor = 0;
    cart.lines[1]!.lineTotalMinor = 0;
    server.carts.carts.set(cart.id, { ownerId: who.alice.userId, cart });
    const result = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(cart.id) } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cartId' });
    expect(result.errors?.[0]?.message).toContain(cart.lines[1]!.sku);
  });

  it('refuses a cart in a currency the shop does not price in', async () => {
    const cart = server.carts.addCart(who.alice.userId);
    cart.currency = 'GBP';
    server.carts.carts.set(cart.id, { ownerId: who.alice.userId, cart });
    const result = await server.gql(PLACE_ORDER, { token: who.alice.token, variables: { input: placeInput(cart.id) } });
    expect(errorCode(result)).toBe('UNSUPPORTED_CURRENCY');
  });
});
