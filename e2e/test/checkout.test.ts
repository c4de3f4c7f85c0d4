/**
 * Checkout, end to end through the router: an anonymous cart, sign-in with the
 * cart merged, an order placed, and the saga over Kafka (inventory reserves,
 * payments authorizes through the Stripe API, the order confirms, stock is
 * committed and the payment captured). Failures compensate; nothing is lost
 * or doubled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, eventually, graphql, graphqlOk, tokenFor, uniqueEmail } from '@commerce/testing';
import { startGraph, type Graph } from './support/graph.ts';
import {
  addToCart,
  adminToken,
  awaitStatus,
  createStockedProduct,
  SHIPPING_ADDRESS,
  stockOf,
  type StockedProduct,
} from './support/shop.ts';

let graph: Graph;
let url: string;
let admin: string;
let mug: StockedProduct;

const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total { amountMinor currency } } }`;
const ORDER_DETAILS = `query($id: ID!) { order(id: $id) {
  id status statusReason
  total { amountMinor currency }
  lines { quantity variant { id sku product { name } } }
  timeline { from to reason }
  payment { status amount { amountMinor } capturedAmount { amountMinor } declineCode }
} }`;

interface OrderDetails {
  order: {
    id: string;
    status: string;
    statusReason: string | null;
    total: { amountMinor: number; currency: string };
    lines: { quantity: number; variant: { id: string; sku: string; product: { name: string } } }[];
    timeline: { from: string | null; to: string; reason: string | null }[];
    payment: { status: string; amount: { amountMinor: number }; capturedAmount: { amountMinor: number }; declineCode: string | null } | null;
  };
}

async function placeOrder(token: string, cartId: string, paymentMethodToken = 'pm_card_visa', idempotencyKey: string = randomUUID()) {
  return graphql<{ placeOrder: { id: string; status: string; total: { amountMinor: number } } }>(url, PLACE_ORDER, {
    token,
    variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey, paymentMethodToken } },
  });
}

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
  mug = await createStockedProduct(url, admin, [10, 5]);
});

afterAll(async () => {
  await graph?.stop();
});

describe('a shopper checks out', () => {
  it('fills an anonymous cart, signs up, merges it, and pays: the order is confirmed, the payment captured, the stock committed', async () => {
    const [red, blue] = mug.variantIds as [string, string];
    const before = await stockOf(url, admin, red);

    // Anonymous: the cart token is the only key to this cart.
    const guest = await addToCart(url, red, 2, {});
    expect(guest.cartToken).toBeTruthy();
    const guestView = await graphqlOk<{ cart: { lines: { quantity: number; variant: { product: { name: string } } }[]; totals: { subtotal: { amountMinor: number } } } }>(
      url, 'query($id: ID!, $token: String) { cart(id: $id, cartToken: $token) { lines { quantity variant { product { name } } } totals { subtotal { amountMinor } } } }',
      { variables: { id: guest.cartId, token: guest.cartToken } });
    expect(guestView.cart.lines).toEqual([{ quantity: 2, variant: { product: { name: mug.name } } }]);
    expect(guestView.cart.totals.subtotal.amountMinor).toBe(5000);

    // Sign-up, a line of their own, then the guest cart merges in.
    const email = uniqueEmail('buyer');
    const { register } = await graphqlOk<{ register: { accessToken: string; user: { id: string } } }>(
      url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      { variables: { input: { email, password: 'correct-horse-battery-9', name: 'Bea Buyer' } } });
    const token = register.accessToken;
    await addToCart(url, blue, 1, { token });
    await addToCart(url, red, 1, { token });
    const merged = await graphqlOk<{ mergeCart: { cart: { id: string; lines: { quantity: number; variant: { id: string } }[]; totals: { total: { amountMinor: number } } } } }>(
      url, 'mutation($input: MergeCartInput!) { mergeCart(input: $input) { cart { id lines { quantity variant { id } } totals { total { amountMinor } } } } }',
      { token, variables: { input: { cartId: guest.cartId, cartToken: guest.cartToken } } });
    const quantities = Object.fromEntries(merged.mergeCart.cart.lines.map((l) => [l.variant.id, l.quantity]));
    expect(quantities).toEqual({ [red]: 3, [blue]: 1 });

    const placed = await placeOrder(token, merged.mergeCart.cart.id);
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.id;
    expect(placed.data!.placeOrder.total.amountMinor).toBe(merged.mergeCart.cart.totals.total.amountMinor);

    expect(await awaitStatus(url, token, orderId, ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('CONFIRMED');
    const details = await eventually(async () => {
      const data = await graphqlOk<OrderDetails>(url, ORDER_DETAILS, { token, variables: { id: orderId } });
      return data.order.payment?.status === 'CAPTURED' ? data : undefined;
    });
    expect(details.order.timeline.map((t) => t.to)).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);
    expect(details.order.payment?.capturedAmount.amountMinor).toBe(details.order.total.amountMinor);
    expect(details.order.lines.map((l) => l.variant.product.name)).toEqual([mug.name, mug.name]);

    // Stock: committed, not merely reserved.
    const after = await eventually(async () => {
      const stock = await stockOf(url, admin, red);
      return stock.onHand === before.onHand - 3 ? stock : undefined;
    });
    expect(after).toEqual({ onHand: before.onHand - 3, reserved: 0, available: before.available - 3 });

    // The Stripe side agrees: one PaymentIntent, captured, for the order total.
    const intents = graph.stripe.paymentIntents.filter((pi) => pi.metadata?.order_id === orderId);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ status: 'succeeded', amount_received: details.order.total.amountMinor });

    // The cart became the order.
    const myCart = await eventually(async () => {
      const data = await graphqlOk<{ myCart: { lines: unknown[] } | null }>(url, '{ myCart { lines { id } } }', { token });
      return !data.myCart || data.myCart.lines.length === 0 ? true : undefined;
    });
    expect(myCart).toBe(true);
  });

  it('is told PAYMENT_FAILED when the card is declined, and the stock comes back', async () => {
    const [red] = mug.variantIds as [string];
    const shopper = await tokenFor();
    const before = await stockOf(url, admin, red);
    const { cartId } = await addToCart(url, red, 2, { token: shopper.token });
    const placed = await placeOrder(shopper.token, cartId, 'pm_card_chargeDeclined');
    const orderId = placed.data!.placeOrder.id;

    expect(await awaitStatus(url, shopper.token, orderId, ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('PAYMENT_FAILED');
    const { order } = await graphqlOk<OrderDetails>(url, ORDER_DETAILS, { token: shopper.token, variables: { id: orderId } });
    expect(order.payment).toMatchObject({ status: 'FAILED', declineCode: 'card_declined' });
    expect(order.statusReason).toMatch(/declin/i);
    const after = await eventually(async () => {
      const stock = await stockOf(url, admin, red);
      return stock.available === before.available && stock.reserved === before.reserved ? stock : undefined;
    });
    expect(after.onHand).toBe(before.onHand);
  });

  it('gets one order for a double submit with the same idempotency key', async () => {
    const [, blue] = mug.variantIds as [string, string];
    const { register } = await graphqlOk<{ register: { accessToken: string } }>(
      url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { variables: { input: { email: uniqueEmail('twice'), password: 'correct-horse-battery-9', name: 'Tess Twice' } } });
    const token = register.accessToken;
    const { cartId } = await addToCart(url, blue, 1, { token });
    const key = randomUUID();
    const [first, second] = await Promise.all([placeOrder(token, cartId, 'pm_card_visa', key), placeOrder(token, cartId, 'pm_card_visa', key)]);
    const orderId = first.data?.placeOrder.id;
    expect(orderId).toBeDefined();
    expect(second.data?.placeOrder.id).toBe(orderId);
    const again = await placeOrder(token, cartId, 'pm_card_visa', key);
    expect(again.data?.placeOrder.id).toBe(orderId);

    expect(await awaitStatus(url, token, orderId!, ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('CONFIRMED');
    // The shopper's order history (users' `me`, extended by orders) holds it once.
    const history = await graphqlOk<{ me: { orders: { edges: { node: { id: string } }[] } } }>(
      url, '{ me { orders(first: 10) { edges { node { id } } } } }', { token });
    expect(history.me.orders.edges.map((e) => e.node.id)).toEqual([orderId]);
    const intents = graph.stripe.paymentIntents.filter((pi) => pi.metadata?.order_id === orderId);
    expect(intents).toHaveLength(1);
  });

  it('never lets another shopper see or use someone else’s cart or order', async () => {
    const [red] = mug.variantIds as [string];
    const owner = await tokenFor();
    const intruder = await tokenFor();
    const { cartId } = await addToCart(url, red, 1, { token: owner.token });
    const peek = await graphql(url, 'query($id: ID!) { cart(id: $id) { id lines { id } } }', { variables: { id: cartId }, token: intruder.token });
    expect(errorCode(peek)).toBe('FORBIDDEN');
    const steal = await placeOrder(intruder.token, cartId);
    expect(steal.data?.placeOrder ?? null).toBeNull();
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorCode(steal));

    const placed = await placeOrder(owner.token, cartId);
    const orderId = placed.data!.placeOrder.id;
    const read = await graphql<{ order: unknown }>(url, 'query($id: ID!) { order(id: $id) { id status } }', { variables: { id: orderId }, token: intruder.token });
    expect(read.data?.order ?? null).toBeNull();
    const adminRead = await graphqlOk<{ order: { id: string } }>(url, 'query($id: ID!) { order(id: $id) { id } }', { variables: { id: orderId }, token: admin });
    expect(adminRead.order.id).toBe(orderId);
  });
});
