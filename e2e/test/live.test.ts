/**
 * Live subscriptions end to end, through the ROUTER's WebSocket (graphql-ws):
 * the router plans each subscription, sends the root field to its owning
 * subgraph (cart or orders) and resolves the rest of every event through the
 * federated plan (product names from catalog, stock from inventory, payment
 * from payments). Changes are committed by the real subgraphs (mutations, the
 * checkout saga over Kafka) and reach the subscriber over Redis pub/sub.
 */
import { randomUUID } from 'node:crypto';
import type { FormattedExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlOk, recordSubscription, tokenFor } from '@commerce/testing';
import { startGraph, type Graph } from './support/graph.ts';
import { addToCart, adminToken, awaitStatus, createStockedProduct, SHIPPING_ADDRESS, type StockedProduct } from './support/shop.ts';

let graph: Graph;
let url: string;
let admin: string;
let mug: StockedProduct;

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
  mug = await createStockedProduct(url, admin, [10, 5]);
});

afterAll(async () => {
  await graph?.stop();
});

interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: string; reason?: string };
}

/** One graphql-ws subscription through the router, recording everything it receives. */
interface Live<T> {
  results: FormattedExecutionResult<T, unknown>[];
  /** `error` messages (refused before starting) and errors of `next` results. */
  errors(): GraphQLErrorLike[];
  data(): T[];
  done: boolean;
  completed: Promise<void>;
  /** Resolves with the data received once `probe` finds what it looks for; fails after `timeoutMs`, never hangs. */
  until<R>(probe: (data: T[]) => R | undefined, timeoutMs?: number): Promise<R>;
  close(): Promise<void>;
}

function subscribe<T>(query: string, variables: Record<string, unknown>, token?: string): Live<T> {
  const recorded = recordSubscription<T>(url, { query, variables }, token ? { token } : {});
  // A refused operation reports an array of GraphQL errors; a closed socket a CloseEvent or Error.
  const socketErrors = (): GraphQLErrorLike[] =>
    recorded.errors.flatMap((error) =>
      Array.isArray(error)
        ? (error as GraphQLErrorLike[])
        : [{ message: error instanceof Error ? error.message : String((error as { reason?: string }).reason ?? error) }],
    );
  const live: Live<T> = {
    results: recorded.results,
    get done() {
      return recorded.done;
    },
    completed: recorded.completed,
    errors: () => [...socketErrors(), ...recorded.results.flatMap((result) => (result.errors ?? []) as GraphQLErrorLike[])],
    data: recorded.data,
    async until(probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = probe(live.data());
        if (found !== undefined) return found;
        if (live.done) throw new Error(`subscription ended first: ${JSON.stringify(live.errors())}; data ${JSON.stringify(live.data())}`);
        if (Date.now() > deadline) throw new Error(`nothing matched within ${timeoutMs} ms; data ${JSON.stringify(live.data())}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: recorded.close,
  };
  return live;
}

const CART_UPDATED = `subscription ($id: ID!, $token: String) {
  cartUpdated(cartId: $id, cartToken: $token) {
    id itemCount
    totals { subtotal { amountMinor currency } total { amountMinor } }
    lines { quantity lineTotal { amountMinor } variant { id product { name } availability { available } } }
  }
}`;

interface CartEvent {
  cartUpdated: {
    id: string;
    itemCount: number;
    totals: { subtotal: { amountMinor: number; currency: string }; total: { amountMinor: number } };
    lines: { quantity: number; lineTotal: { amountMinor: number }; variant: { id: string; product: { name: string }; availability: { available: number } } }[];
  };
}

const ORDER_STATUS_CHANGED = `subscription ($id: ID!) {
  orderStatusChanged(orderId: $id) {
    id status
    total { amountMinor }
    lines { quantity variant { id product { name } } }
    payment { status }
  }
}`;

interface OrderEvent {
  orderStatusChanged: {
    id: string;
    status: string;
    total: { amountMinor: number };
    lines: { quantity: number; variant: { id: string; product: { name: string } } }[];
    payment: { status: string } | null;
  };
}

const PLACE_ORDER = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';

async function placeOrder(token: string, cartId: string): Promise<string> {
  const { placeOrder: order } = await graphqlOk<{ placeOrder: { id: string } }>(url, PLACE_ORDER, {
    token,
    variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey: randomUUID(), paymentMethodToken: 'pm_card_visa' } },
  });
  return order.id;
}

/** The path of a successful checkout. */
const CHECKOUT_PATH = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'];

describe('cartUpdated through the router', () => {
  it('gives the cart, then the new totals with product names (catalog) and stock (inventory) when a line is added', async () => {
    const [red, blue] = mug.variantIds as [string, string];
    const shopper = await tokenFor();
    const { cartId } = await addToCart(url, red, 1, { token: shopper.token });
    const live = subscribe<CartEvent>(CART_UPDATED, { id: cartId }, shopper.token);
    try {
      const [first] = await live.until((data) => (data.length > 0 ? data : undefined));
      expect(first?.cartUpdated).toMatchObject({ id: cartId, itemCount: 1, totals: { subtotal: { amountMinor: 2500, currency: 'USD' } } });

      await addToCart(url, blue, 2, { token: shopper.token });
      const updated = await live.until((data) => data.find((event) => event.cartUpdated.itemCount === 3));
      expect(updated.cartUpdated.totals.subtotal.amountMinor).toBe(7500);
      // 8 % estimated tax, free shipping from 50.00.
      expect(updated.cartUpdated.totals.total.amountMinor).toBe(8100);
      expect(updated.cartUpdated.lines).toEqual([
        { quantity: 1, lineTotal: { amountMinor: 2500 }, variant: { id: red, product: { name: mug.name }, availability: { available: 10 } } },
        { quantity: 2, lineTotal: { amountMinor: 5000 }, variant: { id: blue, product: { name: mug.name }, availability: { available: 5 } } },
      ]);
      expect(live.errors()).toEqual([]);
      expect(live.done).toBe(false);
    } finally {
      await live.close();
    }
  });

  it('follows an anonymous cart with its token, and ends with FORBIDDEN (CART_MERGED) when it is merged on sign-in', async () => {
    const [red] = mug.variantIds as [string];
    const guest = await addToCart(url, red, 1, {});
    const live = subscribe<CartEvent>(CART_UPDATED, { id: guest.cartId, token: guest.cartToken });
    try {
      await live.until((data) => (data.length > 0 ? true : undefined));
      const shopper = await tokenFor();
      await graphqlOk(url, 'mutation ($input: MergeCartInput!) { mergeCart(input: $input) { cart { id } } }', {
        token: shopper.token,
        variables: { input: { cartId: guest.cartId, cartToken: guest.cartToken } },
      });
      await Promise.race([live.completed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after the merge')), 10_000))]);
      expect(live.errors().at(-1)?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CART_MERGED' });
    } finally {
      await live.close();
    }
  });
});

describe('orderStatusChanged through the router', () => {
  it('gives every status of the checkout in order, with payment (payments) and items (orders + catalog)', async () => {
    const [red] = mug.variantIds as [string];
    const shopper = await tokenFor();
    const { cartId } = await addToCart(url, red, 2, { token: shopper.token });
    const orderId = await placeOrder(shopper.token, cartId);
    const live = subscribe<OrderEvent>(ORDER_STATUS_CHANGED, { id: orderId }, shopper.token);
    try {
      const events = await live.until((data) => (data.at(-1)?.orderStatusChanged.status === 'CONFIRMED' ? data : undefined), 30_000);
      const statuses = events.map((event) => event.orderStatusChanged.status);
      // It subscribed after placeOrder returned: first the order as it was then (PENDING, unless the saga
      // was quicker), then every later status, in order, none skipped, none twice.
      expect(['PENDING', 'STOCK_RESERVED']).toContain(statuses[0]);
      expect(statuses).toEqual(CHECKOUT_PATH.slice(CHECKOUT_PATH.indexOf(statuses[0] as string)));
      expect(statuses).toEqual(expect.arrayContaining(['STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']));

      const confirmed = events.at(-1)!.orderStatusChanged;
      expect(confirmed.id).toBe(orderId);
      expect(confirmed.total.amountMinor).toBeGreaterThanOrEqual(5000);
      expect(confirmed.lines).toEqual([{ quantity: 2, variant: { id: red, product: { name: mug.name } } }]);
      // Authorized by the time the order confirmed; capture follows order.confirmed.
      expect(['AUTHORIZED', 'CAPTURED']).toContain(confirmed.payment?.status);
      expect(live.errors()).toEqual([]);
    } finally {
      await live.close();
    }
  });

  it('refuses another shopper’s order and cart with FORBIDDEN; an admin may follow them', async () => {
    const [, blue] = mug.variantIds as [string, string];
    const owner = await tokenFor();
    const intruder = await tokenFor();
    const { cartId } = await addToCart(url, blue, 1, { token: owner.token });
    const cartPeek = subscribe<CartEvent>(CART_UPDATED, { id: cartId }, intruder.token);
    const orderId = await placeOrder(owner.token, cartId);
    const orderPeek = subscribe<OrderEvent>(ORDER_STATUS_CHANGED, { id: orderId }, intruder.token);
    const adminView = subscribe<OrderEvent>(ORDER_STATUS_CHANGED, { id: orderId }, admin);
    try {
      for (const peek of [cartPeek, orderPeek]) {
        await Promise.race([peek.completed, new Promise((_, reject) => setTimeout(() => reject(new Error('not refused in time')), 10_000))]);
        expect(peek.data().filter((data) => Object.values(data as object).some((value) => value !== null))).toEqual([]);
        expect(peek.errors().map((error) => error.extensions?.code)).toContain('FORBIDDEN');
      }
      const seen = await adminView.until((data) => data[0]);
      expect(seen.orderStatusChanged.id).toBe(orderId);
    } finally {
      await Promise.all([cartPeek.close(), orderPeek.close(), adminView.close()]);
    }
  });

  it('survives a restart of the orders subgraph: it resumes (or ends with a clear error), never hangs', async () => {
    const [red] = mug.variantIds as [string];
    const shopper = await tokenFor();
    const { cartId } = await addToCart(url, red, 1, { token: shopper.token });
    const orderId = await placeOrder(shopper.token, cartId);
    expect(await awaitStatus(url, shopper.token, orderId, ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('CONFIRMED');

    const live = subscribe<OrderEvent>(ORDER_STATUS_CHANGED, { id: orderId }, shopper.token);
    try {
      await live.until((data) => (data.at(-1)?.orderStatusChanged.status === 'CONFIRMED' ? true : undefined));
      const before = live.data().length;
      await graph.restart('orders');

      // The router reconnects and re-subscribes; the new orders instance answers with the order as it is.
      const outcome = await Promise.race([
        live.until((data) => (data.length > before ? 'resumed' : undefined), 15_000).catch(() => 'ended'),
        live.completed.then(() => 'ended'),
      ]);
      if (outcome === 'resumed') {
        expect(live.data().at(-1)?.orderStatusChanged.status).toBe('CONFIRMED');
        // And it is live again: the next status arrives.
        await graphqlOk(url, 'mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { id } }', { token: admin, variables: { id: orderId } });
        const fulfilled = await live.until((data) => data.find((event) => event.orderStatusChanged.status === 'FULFILLED'), 15_000);
        expect(fulfilled.orderStatusChanged.id).toBe(orderId);
        expect(live.errors()).toEqual([]);
      } else {
        // Ended: with a clear, coded error, not silently.
        expect(live.done).toBe(true);
        expect(live.errors().at(-1)?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      }
    } finally {
      await live.close();
    }
  });
});
