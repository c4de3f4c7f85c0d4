/**
 * After a failed payment: order.placed takes the ordered lines out of the cart
 * (a user's cart, or a guest's anonymous cart in Redis), and order.cancelled
 * (PAYMENT_FAILED, or CANCELLED before confirmation) gives them back to the
 * same cart, once per order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOrderCancelled, applyOrderPlaced } from '../src/service/checkout.service.js';
import { ADD_LINE, CREATE_CART, mutate, seedProduct, startTestServer, tokens, truncateAll, type SeededProduct, type TestServer, type Tokens } from './helpers.js';

let server: TestServer;
let auth: Tokens;
let shirt: SeededProduct;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  shirt = await seedProduct(server.db, { name: 'Linen Shirt', variants: [{ name: 'M' }, { name: 'L' }] });
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (index: number) => shirt.variants[index]!.variantId;
const deps = () => ({ store: server.store, logger: { warn: () => undefined } });
const orderLines = (quantities: number[]) =>
  quantities.map((quantity, index) => ({
    lineId: randomUUID(),
    productId: shirt.productId,
    variantId: variant(index),
    sku: `S-${index}`,
    name: 'Shirt',
    quantity,
    unitPriceMinor: 1000,
    lineTotalMinor: 1000 * quantity,
  }));
const quantities = (cart: { lines: { variantId: string; quantity: number }[] } | null) =>
  Object.fromEntries((cart?.lines ?? []).map((line) => [line.variantId, line.quantity]));

describe('lines back into the cart after a failed payment', () => {
  it("a user's cart: emptied on order.placed, refilled once on order.cancelled to PAYMENT_FAILED", async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(0), quantity: 2 }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(1), quantity: 1 }, auth.alice);
    const order = { orderId: randomUUID(), cartId: added.cart.id, userId: auth.aliceId, lines: orderLines([2, 1]) };
    await server.db.$transaction((tx) => applyOrderPlaced(deps(), tx, order));
    expect((await server.store.get(added.cart.id))?.lines).toEqual([]);

    const cancelled = { orderId: order.orderId, from: 'STOCK_RESERVED' as const, to: 'PAYMENT_FAILED' as const };
    await server.db.$transaction((tx) => applyOrderCancelled(deps(), tx, cancelled));
    await server.db.$transaction((tx) => applyOrderCancelled(deps(), tx, cancelled));
    const restored = await server.store.get(added.cart.id);
    expect(restored?.id).toBe(added.cart.id);
    expect(quantities(restored)).toEqual({ [variant(0)]: 2, [variant(1)]: 1 });
    const durable = await server.db.cart.findUniqueOrThrow({ where: { id: added.cart.id }, include: { lines: true } });
    expect(durable.lines).toHaveLength(2);
  });

  it("a guest's anonymous cart: the same id and token get the lines back; a cancellation after confirmation gives nothing back", async () => {
    const created = await mutate(server, CREATE_CART, {});
    const cartToken = created.cartToken as string;
    await mutate(server, ADD_LINE, { cartId: created.cart.id, cartToken, variantId: variant(0), quantity: 3 });
    const order = { orderId: randomUUID(), cartId: created.cart.id, userId: null, lines: orderLines([3]) };
    await server.db.$transaction((tx) => applyOrderPlaced(deps(), tx, order));
    expect((await server.store.get(created.cart.id))?.lines).toEqual([]);
    const checkout = await server.db.cartCheckout.findUniqueOrThrow({ where: { orderId: order.orderId } });
    expect(checkout.userId).toBeNull();
    expect(checkout.tokenHash).toEqual(expect.any(String));

    await server.db.$transaction((tx) => applyOrderCancelled(deps(), tx, { orderId: order.orderId, from: 'STOCK_RESERVED', to: 'PAYMENT_FAILED' }));
    const read = await server.ok<{ cart: { id: string; lines: { quantity: number }[] } | null }>(
      `query ($id: ID!, $token: String) { cart(id: $id, cartToken: $token) { id lines { quantity } } }`,
      { variables: { id: created.cart.id, token: cartToken } },
    );
    expect(read.cart?.lines).toEqual([{ quantity: 3 }]);

    // A confirmed order cancelled later was paid: nothing comes back.
    const paid = { orderId: randomUUID(), cartId: created.cart.id, userId: null, lines: orderLines([1]) };
    await server.db.$transaction((tx) => applyOrderPlaced(deps(), tx, paid));
    await server.db.$transaction((tx) => applyOrderCancelled(deps(), tx, { orderId: paid.orderId, from: 'CONFIRMED', to: 'CANCELLED' }));
    expect(quantities(await server.store.get(created.cart.id))).toEqual({ [variant(0)]: 2 });
  });

  it('an expired anonymous cart comes back with the same id and token', async () => {
    const created = await mutate(server, CREATE_CART, {});
    const cartToken = created.cartToken as string;
    await mutate(server, ADD_LINE, { cartId: created.cart.id, cartToken, variantId: variant(1), quantity: 2 });
    const order = { orderId: randomUUID(), cartId: created.cart.id, userId: null, lines: orderLines([0, 2]).slice(1) };
    await server.db.$transaction((tx) => applyOrderPlaced(deps(), tx, order));
    const gone = await server.store.get(created.cart.id);
    if (gone) await server.store.delete(gone);
    await server.db.$transaction((tx) => applyOrderCancelled(deps(), tx, { orderId: order.orderId, from: 'PENDING', to: 'CANCELLED' }));
    const read = await server.ok<{ cart: { id: string; lines: { quantity: number }[] } | null }>(
      `query ($id: ID!, $token: String) { cart(id: $id, cartToken: $token) { id lines { quantity } } }`,
      { variables: { id: created.cart.id, token: cartToken } },
    );
    expect(read.cart).toEqual({ id: created.cart.id, lines: [{ quantity: 2 }] });
  });
});
