/**
 * The shop side of the checkout benchmark, all through the router with the
 * operations of the end-to-end checkout test (e2e/test/support/shop.ts):
 * the admin's set-up (products, stock) and the virtual shoppers' loop
 * (cart lines → placeOrder → poll the order until CONFIRMED).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { eventually, graphql, graphqlOk, tokenFor, type GraphQLResponse, type RequestOptions } from '@commerce/testing';
import type { AdminCredentials } from './protocol.ts';

export const SHIPPING_ADDRESS = {
  fullName: 'Bench Shopper',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  countryCode: 'US',
};

const ADD_CART_LINE = 'mutation($input: AddCartLineInput!) { addCartLine(input: $input) { cart { id } } }';
const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status lines { quantity variant { id } } } }';
const ORDER_STATUS = 'query($id: ID!) { order(id: $id) { status } }';
const ORDER_STATUS_CHANGED = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';

/** Where an order's saga ends without an admin: no more transitions follow. */
const FINAL_STATUSES = new Set(['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED', 'REFUNDED']);

export async function adminToken(url: string, admin: AdminCredentials): Promise<string> {
  // The users subgraph creates the administrator in the background at start-up.
  return eventually(async () => {
    const result = await graphql<{ login: { accessToken: string } }>(url, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      variables: { input: admin },
    });
    return result.data?.login.accessToken;
  }, 30_000, 200);
}

export interface BenchProduct {
  productId: string;
  variantIds: string[];
}

/** Products whose variants cost 25.00 USD, in one category. */
export async function createProducts(url: string, token: string, count: number, variantsPerProduct: number, run: string): Promise<BenchProduct[]> {
  const { createCategory } = await graphqlOk<{ createCategory: { id: string } }>(
    url,
    'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
    { variables: { input: { name: `Checkout bench ${run}` } }, token },
  );
  const products: BenchProduct[] = [];
  for (let index = 0; index < count; index++) {
    const tag = `${run}-${index}`;
    const { createProduct } = await graphqlOk<{ createProduct: { id: string; variants: { id: string }[] } }>(
      url,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id variants { id } } }',
      {
        token,
        variables: {
          input: {
            name: `Bench Mug ${tag}`,
            categoryId: createCategory.id,
            variants: Array.from({ length: variantsPerProduct }, (_, variant) => ({
              sku: `BENCH-${tag}-${variant}`,
              name: `Colour ${variant}`,
              options: [{ name: 'Colour', value: `c${variant}` }],
              prices: [
                { amountMinor: 2500, currency: 'USD' },
                { amountMinor: 2300, currency: 'EUR' },
              ],
            })),
          },
        },
      },
    );
    products.push({ productId: createProduct.id, variantIds: createProduct.variants.map((variant) => variant.id) });
  }
  return products;
}

/** Sets on-hand stock of each variant, once inventory has heard of it (product.created). */
export async function stockVariants(url: string, token: string, variantIds: readonly string[], onHand: number): Promise<void> {
  const { warehouses } = await graphqlOk<{ warehouses: { id: string }[] }>(url, '{ warehouses { id } }', { token });
  const warehouseId = warehouses[0]?.id;
  if (!warehouseId) throw new Error('inventory has no warehouse');
  for (const variantId of variantIds) {
    await eventually(async () => {
      const result = await graphql(url, 'mutation($input: AdjustStockInput!) { adjustStock(input: $input) { __typename } }', {
        token,
        variables: { input: { variantId, warehouseId, setOnHand: onHand, reason: 'checkout bench stock' } },
      });
      if (result.errors) throw new Error(`adjustStock: ${JSON.stringify(result.errors)}`);
      return true;
    }, 60_000, 100);
  }
}

// ---------------------------------------------------------------------------
// Virtual shoppers

export interface OrderRecord {
  orderId: string;
  userId: string;
  /** Wall clock when placeOrder was sent (to compare with timestamps the services record). */
  placeSentWall: number;
  /** performance.now() when placeOrder was sent. */
  placeSent: number;
  placeMs: number;
  /** Last status seen; CONFIRMED for a completed checkout. */
  status: string;
  /** performance.now() when the shopper saw the final status. */
  finishedAt?: number;
  /** placeOrder sent → final status seen by polling. */
  observedMs?: number;
  /** Quantity by variant the shopper put in the cart. */
  added: Record<string, number>;
  /** Whether placeOrder's lines are exactly what the shopper added. */
  linesMatch: boolean;
  /** order(id) requests (or orderStatusChanged events) until the final status. */
  polls: number;
}

export interface LoadOptions {
  url: string;
  variantIds: readonly string[];
  /**
   * How the shopper learns the order is confirmed: polling order(id), or the
   * router's orderStatusChanged subscription over graphql-ws (one WebSocket
   * per checkout, as a checkout page would open).
   */
  observe: 'poll' | 'subscription';
  /** First poll this long after placeOrder answered; each next one 1.5× later, up to pollMaxMs. */
  pollMs: number;
  pollMaxMs: number;
  /** Give up on an order that has not reached a final status after this long. */
  orderTimeoutMs: number;
  paymentMethodToken: string;
}

export interface LoadState {
  orders: OrderRecord[];
  /** Failed operations by phase and first error message. */
  errors: Map<string, number>;
  /** Orders placed and not yet finished (final status or timed out). */
  inFlight: number;
  stopped: boolean;
}

function noteError(state: LoadState, phase: string, result: GraphQLResponse<unknown> | Error): void {
  let message: string;
  if (result instanceof Error) message = result.message;
  else {
    const first = result.errors?.[0];
    message = first ? `${first.extensions?.code ?? 'ERROR'}: ${first.message}` : `HTTP ${result.status}, no data`;
  }
  const key = `${phase}: ${message.slice(0, 160)}`;
  state.errors.set(key, (state.errors.get(key) ?? 0) + 1);
}

/** A GraphQL call whose network failure is a value, like its GraphQL errors. */
async function call<T>(url: string, query: string, options: RequestOptions): Promise<GraphQLResponse<T> | Error> {
  try {
    return await graphql<T>(url, query, options);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Picks 1–3 distinct variants, 1–3 units each. */
function pickLines(variantIds: readonly string[]): [string, number][] {
  const count = 1 + Math.floor(Math.random() * 3);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, variantIds.length)) {
    chosen.add(variantIds[Math.floor(Math.random() * variantIds.length)] as string);
  }
  return [...chosen].map((variantId) => [variantId, 1 + Math.floor(Math.random() * 3)]);
}

/**
 * One checkout by a new customer (a made-up user with a signed token: cart
 * and orders trust the verified JWT): cart lines, placeOrder with an
 * idempotency key, then polling until a final status.
 */
async function checkout(options: LoadOptions, state: LoadState): Promise<void> {
  const { url } = options;
  const { token, userId } = await tokenFor();
  const lines = pickLines(options.variantIds);
  let cartId: string | undefined;
  for (const [variantId, quantity] of lines) {
    const added = await call<{ addCartLine: { cart: { id: string } } }>(url, ADD_CART_LINE, { token, variables: { input: { variantId, quantity } } });
    if (added instanceof Error || !added.data) {
      noteError(state, 'addCartLine', added);
      return;
    }
    cartId = added.data.addCartLine.cart.id;
  }
  if (!cartId) return;

  const placeSentWall = Date.now();
  const placeSent = performance.now();
  const placed = await call<{ placeOrder: { id: string; status: string; lines: { quantity: number; variant: { id: string } }[] } }>(url, PLACE_ORDER, {
    token,
    variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey: randomUUID(), paymentMethodToken: options.paymentMethodToken } },
  });
  const placeMs = performance.now() - placeSent;
  if (placed instanceof Error || !placed.data) {
    noteError(state, 'placeOrder', placed);
    return;
  }
  const order = placed.data.placeOrder;
  const added = Object.fromEntries(lines);
  const ordered: Record<string, number> = {};
  for (const line of order.lines) ordered[line.variant.id] = (ordered[line.variant.id] ?? 0) + line.quantity;
  const record: OrderRecord = {
    orderId: order.id,
    userId,
    placeSentWall,
    placeSent,
    placeMs,
    status: order.status,
    added,
    linesMatch: Object.keys(added).length === Object.keys(ordered).length && Object.entries(added).every(([id, qty]) => ordered[id] === qty),
    polls: 0,
  };
  state.orders.push(record);
  state.inFlight++;
  try {
    if (options.observe === 'subscription') await followLive(options, state, token, record);
    else await poll(options, state, token, record);
    if (FINAL_STATUSES.has(record.status)) {
      record.finishedAt = performance.now();
      record.observedMs = record.finishedAt - placeSent;
    }
  } finally {
    state.inFlight--;
  }
}

/** Polls order(id) { status } until a final status or the order timeout. */
async function poll(options: LoadOptions, state: LoadState, token: string, record: OrderRecord): Promise<void> {
  const deadline = record.placeSent + options.orderTimeoutMs;
  // Like a checkout page: poll soon, then back off, so a slow saga is not buried under polls.
  let delay = options.pollMs;
  while (!FINAL_STATUSES.has(record.status) && performance.now() < deadline) {
    await sleep(delay);
    delay = Math.min(options.pollMaxMs, delay * 1.5);
    record.polls++;
    const polled = await call<{ order: { status: string } | null }>(options.url, ORDER_STATUS, { token, variables: { id: record.orderId } });
    const status = polled instanceof Error ? undefined : polled.data?.order?.status;
    if (status) record.status = status;
    else noteError(state, 'poll order', polled);
  }
}

/** Follows orderStatusChanged through the router until a final status (CONFIRMED included), an error or the order timeout. */
function followLive(options: LoadOptions, state: LoadState, token: string, record: OrderRecord): Promise<void> {
  const remaining = Math.max(0, record.placeSent + options.orderTimeoutMs - performance.now());
  return new Promise((resolve) => {
    const client = createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unsubscribe();
      void client.dispose();
      resolve();
    };
    const timer = setTimeout(finish, remaining);
    const unsubscribe = client.subscribe<{ orderStatusChanged: { id: string; status: string } }>(
      { query: ORDER_STATUS_CHANGED, variables: { id: record.orderId } },
      {
        next: (result) => {
          const status = result.data?.orderStatusChanged.status;
          if (status) {
            record.status = status;
            record.polls++;
            if (FINAL_STATUSES.has(status)) finish();
          } else {
            noteError(state, 'orderStatusChanged', { status: 200, data: null, errors: result.errors?.map((error) => ({ message: error.message, extensions: { code: String(error.extensions?.code ?? 'ERROR') } })) });
          }
        },
        error: (error) => {
          noteError(state, 'orderStatusChanged', error instanceof Error ? error : new Error(Array.isArray(error) ? JSON.stringify(error) : String((error as { reason?: string }).reason ?? 'socket closed')));
          finish();
        },
        complete: finish,
      },
    );
  });
}

/** One virtual shopper: checkouts back to back until the state says stop. */
export async function shopper(options: LoadOptions, state: LoadState): Promise<void> {
  while (!state.stopped) {
    try {
      await checkout(options, state);
    } catch (error) {
      noteError(state, 'checkout', error instanceof Error ? error : new Error(String(error)));
      await sleep(100);
    }
  }
}
