/**
 * Checkout under pressure, through the router: many shoppers racing for a few
 * units, and the Kafka broker going away in the middle of the saga. No order,
 * payment or stock unit is lost or doubled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKafkaUp, managedKafkaPid, startKafka, stopKafka } from '@commerce/infra';
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

interface Timeline {
  order: { status: string; timeline: { to: string }[]; payment: { status: string } | null };
}

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
});

afterAll(async () => {
  if (!(await isKafkaUp())) await startKafka();
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

  it('finishes every order, once, when the Kafka broker stops mid-saga and comes back', async (context) => {
    // Only a broker this project started can be stopped (CI always starts its own).
    if (managedKafkaPid() === undefined) context.skip();
    const { variantIds } = await createStockedProduct(url, admin, [100]);
    const variantId = variantIds[0]!;
    const before = await stockOf(url, admin, variantId);
    const shoppers = await shoppersWithOneUnit(10, variantId);

    const placed = await placeOrders(shoppers);
    // The orders are in PostgreSQL with their order.placed in the outbox; the broker goes away now.
    expect(await stopKafka()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await startKafka();

    const statuses = await awaitAllStatuses(url, admin, placed.map((p) => p.orderId), FINAL, 180_000);
    expect([...statuses.values()]).toEqual(Array(10).fill('CONFIRMED'));
    for (const { token, orderId } of placed) {
      const details = await eventually(async () => {
        const data = await graphqlOk<Timeline>(url, 'query($id: ID!) { order(id: $id) { status timeline { to } payment { status } } }', {
          token, variables: { id: orderId },
        });
        return data.order.payment?.status === 'CAPTURED' ? data : undefined;
      }, 60_000);
      // Each step happened once: nothing replayed into a second transition.
      expect(details.order.timeline.map((t) => t.to)).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);
      expect(graph.stripe.paymentIntents.filter((pi) => pi.metadata?.order_id === orderId)).toHaveLength(1);
    }
    const after = await eventually(async () => {
      const level = await stockOf(url, admin, variantId);
      return level.onHand === before.onHand - 10 ? level : undefined;
    }, 30_000);
    expect(after).toEqual({ onHand: before.onHand - 10, reserved: 0, available: before.available - 10 });
  }, 300_000);
});
