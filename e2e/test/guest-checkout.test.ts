/**
 * Guest checkout, end to end through the router with the real saga over
 * Kafka and the real mail path (notifications → SMTP sink):
 * - an anonymous cart is paid for with its cartToken and an email; the order
 *   confirms, the guest finds it with orderLookup(number, email) and is
 *   emailed a link to the order lookup; registering with that email brings
 *   the order into `me.orders`; deleting that account detaches it again;
 * - a declined card: PAYMENT_FAILED, the lines come back into the same cart,
 *   and paying again with a good card (a new idempotency key) confirms, with
 *   the stock exact;
 * - a guest follows orderStatusChanged(orderId, email) over graphql-ws.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql, graphqlOk, recordSubscription, uniqueEmail } from '@commerce/testing';
import type { ReceivedMail } from '../../subgraphs/notifications/src/index.ts';
import { startGraph, type Graph } from './support/graph.ts';
import { addToCart, adminToken, awaitStatus, createStockedProduct, SHIPPING_ADDRESS, stockOf, type StockedProduct } from './support/shop.ts';

const STOREFRONT_URL = 'https://shop.e2e.test';
const PASSWORD = 'correct-horse-battery-9';

let graph: Graph;
let url: string;
let admin: string;
let mug: StockedProduct;

beforeAll(async () => {
  graph = await startGraph({ notifications: { storefrontUrl: STOREFRONT_URL } });
  url = graph.routerUrl;
  admin = await adminToken(url);
  mug = await createStockedProduct(url, admin, [10, 5, 4]);
});

afterAll(async () => {
  await graph?.stop();
});

interface GuestOrder {
  id: string;
  number: string;
  status: string;
  email: string | null;
  user: { id: string } | null;
  total: { amountMinor: number };
}
const ORDER_FIELDS = 'id number status email user { id } total { amountMinor }';
const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
const LOOKUP = `query($input: OrderLookupInput!) { orderLookup(input: $input) { ${ORDER_FIELDS} lines { quantity variant { id } } } }`;
const CART = 'query($id: ID!, $token: String) { cart(id: $id, cartToken: $token) { id lines { quantity variant { id } } } }';
const FINAL = ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'];

function placeGuestOrder(cart: { cartId: string; cartToken: string | null }, email: string, paymentMethodToken: string, idempotencyKey = randomUUID()) {
  return graphqlOk<{ placeOrder: GuestOrder }>(url, PLACE_ORDER, {
    variables: {
      input: { cartId: cart.cartId, cartToken: cart.cartToken, email, shippingAddress: SHIPPING_ADDRESS, idempotencyKey, paymentMethodToken },
    },
  });
}

async function lookup(number: string, email: string): Promise<(GuestOrder & { lines: { quantity: number; variant: { id: string } }[] }) | null> {
  const data = await graphqlOk<{ orderLookup: (GuestOrder & { lines: { quantity: number; variant: { id: string } }[] }) | null }>(url, LOOKUP, {
    variables: { input: { number, email } },
  });
  return data.orderLookup;
}

/** The first message to `address` with this subject (Kafka → notifications → SMTP). */
async function mailTo(address: string, subject: string): Promise<ReceivedMail> {
  const smtp = graph.smtp;
  if (!smtp) throw new Error('the graph runs without notifications');
  return eventually(async () => smtp.messages.find((mail) => mail.envelope.to.includes(address) && mail.subject === subject), 30_000, 100);
}

describe('guest checkout through the router', () => {
  it('pays as a guest, finds the order by number and email, is emailed the lookup link, and gets the order into the account on sign-up', async () => {
    const [red] = mug.variantIds as [string];
    const before = await stockOf(url, admin, red);
    const email = uniqueEmail('guest');
    const cart = await addToCart(url, red, 2, {});
    expect(cart.cartToken).toBeTruthy();

    const { placeOrder: placed } = await placeGuestOrder(cart, email.toUpperCase(), 'pm_card_visa');
    expect(placed).toMatchObject({ status: 'PENDING', email, user: null });
    expect(placed.number).toMatch(/^\d{6,}$/);
    expect(await awaitStatus(url, admin, placed.id, FINAL)).toBe('CONFIRMED');

    // The guest's order page: number and email (any case), nothing else needed.
    const found = await lookup(placed.number, email.toUpperCase());
    expect(found).toMatchObject({ id: placed.id, status: 'CONFIRMED', email, user: null, lines: [{ quantity: 2, variant: { id: red } }] });
    expect(await lookup(placed.number, uniqueEmail('someone-else'))).toBeNull();
    expect(await lookup(String(Number(placed.number) + 1000), email)).toBeNull();
    // …and not through order(id) without an account.
    const anonymous = await graphql<{ order: unknown }>(url, 'query($id: ID!) { order(id: $id) { id } }', { variables: { id: placed.id } });
    expect(anonymous.data?.order ?? null).toBeNull();

    const stock = await eventually(async () => {
      const now = await stockOf(url, admin, red);
      return now.onHand === before.onHand - 2 ? now : undefined;
    });
    expect(stock).toEqual({ onHand: before.onHand - 2, reserved: 0, available: before.available - 2 });

    // The confirmation goes to the guest's address and links to the order lookup with the number, not to /orders/<id>.
    const mail = await mailTo(email, 'Your order is confirmed');
    const link = `${STOREFRONT_URL}/order-lookup?number=${placed.number}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).not.toContain(`/orders/${placed.id}`);

    // The guest signs up with that email: the order becomes the account's (user.registered over Kafka).
    const { register } = await graphqlOk<{ register: { accessToken: string; user: { id: string } } }>(
      url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      { variables: { input: { email, password: PASSWORD, name: 'Gail Guest' } } });
    const token = register.accessToken;
    const history = await eventually(async () => {
      const data = await graphqlOk<{ me: { orders: { totalCount: number; edges: { node: { id: string; number: string; user: { id: string } } }[] } } }>(
        url, '{ me { orders(first: 10) { totalCount edges { node { id number user { id } } } } } }', { token });
      return data.me.orders.totalCount > 0 ? data.me.orders : undefined;
    }, 30_000, 200);
    expect(history.totalCount).toBe(1);
    expect(history.edges).toEqual([{ node: { id: placed.id, number: placed.number, user: { id: register.user.id } } }]);
    // Now an account's order: the guest lookup no longer answers for it.
    expect(await lookup(placed.number, email)).toBeNull();

    // Deleting the account keeps the order (accounting) but detaches it: no user, no email, still not a guest order.
    await graphqlOk(url, 'mutation($password: String!) { deleteAccount(input: { currentPassword: $password }) { deletedUserId } }', {
      token,
      variables: { password: PASSWORD },
    });
    const detached = await eventually(async () => {
      const data = await graphqlOk<{ order: GuestOrder | null }>(url, `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, {
        token: admin,
        variables: { id: placed.id },
      });
      return data.order && data.order.user === null ? data.order : undefined;
    }, 30_000, 200);
    expect(detached).toMatchObject({ id: placed.id, status: 'CONFIRMED', email: null, total: placed.total });
    expect(await lookup(placed.number, email)).toBeNull();
  });

  it('gets the lines back into the same cart after a declined card, and pays again from it with a new key', async () => {
    const [, blue] = mug.variantIds as [string, string];
    const before = await stockOf(url, admin, blue);
    const email = uniqueEmail('declined');
    const cart = await addToCart(url, blue, 3, {});

    const { placeOrder: failed } = await placeGuestOrder(cart, email, 'pm_card_chargeDeclined');
    expect(await awaitStatus(url, admin, failed.id, FINAL)).toBe('PAYMENT_FAILED');
    const failedMail = await mailTo(email, 'Your payment did not go through');
    expect(failedMail.text).toContain(`${STOREFRONT_URL}/order-lookup?number=${failed.number}`);

    // order.cancelled → cart puts the three units back into the same cart, which keeps its token.
    const restored = await eventually(async () => {
      const result = await graphql<{ cart: { id: string; lines: { quantity: number; variant: { id: string } }[] } | null }>(url, CART, {
        variables: { id: cart.cartId, token: cart.cartToken },
      });
      const lines = result.data?.cart?.lines ?? [];
      return lines.length > 0 ? result.data?.cart : undefined;
    }, 30_000, 200);
    expect(restored).toEqual({ id: cart.cartId, lines: [{ quantity: 3, variant: { id: blue } }] });
    // The failed reservation was released.
    await eventually(async () => {
      const stock = await stockOf(url, admin, blue);
      return stock.reserved === before.reserved && stock.available === before.available ? stock : undefined;
    });

    const { placeOrder: paid } = await placeGuestOrder(cart, email, 'pm_card_visa');
    expect(paid.id).not.toBe(failed.id);
    expect(await awaitStatus(url, admin, paid.id, FINAL)).toBe('CONFIRMED');
    expect(await lookup(paid.number, email)).toMatchObject({ id: paid.id, status: 'CONFIRMED', lines: [{ quantity: 3, variant: { id: blue } }] });
    expect(await lookup(failed.number, email)).toMatchObject({ id: failed.id, status: 'PAYMENT_FAILED' });

    // Exactly three units left stock, once; nothing stays reserved.
    const after = await eventually(async () => {
      const stock = await stockOf(url, admin, blue);
      return stock.onHand === before.onHand - 3 && stock.reserved === 0 ? stock : undefined;
    });
    expect(after).toEqual({ onHand: before.onHand - 3, reserved: 0, available: before.available - 3 });
    // The cart became the order.
    const emptied = await eventually(async () => {
      const result = await graphql<{ cart: { lines: unknown[] } | null }>(url, CART, { variables: { id: cart.cartId, token: cart.cartToken } });
      return !result.data?.cart || result.data.cart.lines.length === 0 ? true : undefined;
    }, 30_000, 200);
    expect(emptied).toBe(true);
  });

  it('lets a guest follow orderStatusChanged(orderId, email) over graphql-ws, and refuses a wrong email', async () => {
    const [, , green] = mug.variantIds as [string, string, string];
    const email = uniqueEmail('follower');
    const cart = await addToCart(url, green, 1, {});
    const { placeOrder: placed } = await placeGuestOrder(cart, email, 'pm_card_visa');
    const query = 'subscription($id: ID!, $email: String) { orderStatusChanged(orderId: $id, email: $email) { id number status email lines { quantity } } }';

    const wrong = recordSubscription<{ orderStatusChanged: { id: string } | null }>(url, { query, variables: { id: placed.id, email: uniqueEmail('nosy') } });
    const live = recordSubscription<{ orderStatusChanged: { id: string; number: string; status: string; email: string; lines: { quantity: number }[] } }>(url, {
      query,
      variables: { id: placed.id, email },
    });
    try {
      // Completes after a final status; CONFIRMED is not final, so wait for it in the data.
      const events = await eventually(async () => {
        const data = live.data();
        if (live.done && data.at(-1)?.orderStatusChanged.status !== 'CONFIRMED') {
          throw new Error(`ended early: ${JSON.stringify(live.errors)} ${JSON.stringify(live.results)}`);
        }
        return data.at(-1)?.orderStatusChanged.status === 'CONFIRMED' ? data : undefined;
      }, 30_000, 50);
      const statuses = events.map((event) => event.orderStatusChanged.status);
      const path = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'];
      expect(statuses).toEqual(path.slice(path.indexOf(statuses[0] as string)));
      expect(events.at(-1)?.orderStatusChanged).toMatchObject({ id: placed.id, number: placed.number, email, lines: [{ quantity: 1 }] });

      await wrong.completed;
      expect(wrong.data().flatMap((data) => (data.orderStatusChanged ? [data.orderStatusChanged] : []))).toEqual([]);
      const codes = [
        ...wrong.errors.flatMap((error) => (Array.isArray(error) ? error : [error])).map((error) => (error as { extensions?: { code?: string } }).extensions?.code),
        ...wrong.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
      ];
      expect(codes).toContain('FORBIDDEN');
    } finally {
      await live.close();
      await wrong.close();
    }
  });
});
