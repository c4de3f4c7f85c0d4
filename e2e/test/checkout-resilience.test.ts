/**
 * Checkout under pressure, through the router: many shoppers racing for a few
 * units. No order, payment or stock unit is lost or doubled. The Kafka broker
 * going away mid-saga, with the other faults, is fault-injection.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphqlOk, tokenFor } from '@commerce/testing';
import { startGraph, type Graph } from './support/graph.ts';
import { addToCart, adminToken, awaitAllStatuses, createStockedProduct, SHIPPING_ADDRESS, stockOf } from './support/shop.ts';

let graph: Graph;
let url: string;
let admin: string;

const FINAL = ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'];

interface Shopper {
  token: string;
  cartId: string;
}

async function shoppersWithOneUnit(count: number, variantId: string): Promise<Shopper[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { token } = await tokenFor();
      const { cartId } = await addToCart(url, variantId, 1, { token });
      return { token, cartId };
    }),
  );
}

async function placeOrders(shoppers: Shopper[]): Promise<{ token: string; orderId: string }[]> {
  return Promise.all(
    shoppers.map(async ({ token, cartId }) => {
      const data = await graphqlOk<{ placeOrder: { id: string } }>(
        url,
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        { token, variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey: randomUUID(), paymentMethodToken: 'pm_card_visa' } } },
      );
      return { token, orderId: data.placeOrder.id };
    }),
  );
}

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
});

afterAll(async () => {
  await graph?.stop();
});

describe('checkout under pressure', () => {
  it('sells exactly 50 units to 200 shoppers racing for them, never more', async () => {
    const { variantIds } = await createStockedProduct(url, admin, [50]);
    const variantId = variantIds[0]!;
    const shoppers = await shoppersWithOneUnit(200, variantId);

    const placed = await placeOrders(shoppers);
    expect(new Set(placed.map((p) => p.orderId)).size).toBe(200);
    const statuses = await awaitAllStatuses(url, admin, placed.map((p) => p.orderId), FINAL, 180_000);
    const outcomes = [...statuses.values()];

    const tally: Record<string, number> = {};
    for (const status of outcomes) tally[status] = (tally[status] ?? 0) + 1;
    expect(tally).toEqual({ CONFIRMED: 50, CANCELLED: 150 });
    const stock = await eventually(async () => {
      const level = await stockOf(url, admin, variantId);
      return level.onHand === 0 ? level : undefined;
    }, 30_000);
    expect(stock).toEqual({ onHand: 0, reserved: 0, available: 0 });
  }, 240_000);
});
