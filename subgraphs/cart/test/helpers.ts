/**
 * Test harness: the real cart subgraph on an ephemeral port, over the real
 * ecommerce_cart_test database and the real Redis — under a key prefix of
 * its own, so flushing "Redis" in a test deletes this run's keys and nobody
 * else's. The relay and consumer are off unless a test starts them: most
 * tests look at outbox rows and seed the read model directly.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl, redisUrl } from '@commerce/config';
import type { ProductSnapshot } from '@commerce/events';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { graphql, graphqlOk, tokenFor, type GraphQLResponse, type RequestOptions } from '@commerce/testing';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { createCartPrisma, type CartPrisma } from '../src/data/prisma.js';
import { applyProductSnapshot } from '../src/data/read-model.js';
import { CartStore } from '../src/data/redis-store.js';
import { cartSubgraph } from '../src/subgraph.js';

export interface TestServer {
  url: string;
  db: CartPrisma;
  /** Every SQL statement the subgraph's client sent, in order. */
  queries: string[];
  redis: Redis;
  store: CartStore;
  gql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  ok<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const queries: string[] = [];
  const db = createCartPrisma({ databaseUrl: databaseUrl('cart', 'test'), onQuery: (sql) => queries.push(sql) });
  const redis = new Redis(redisUrl());
  const keyPrefix = `cart:test:${randomUUID().slice(0, 8)}:`;
  const store = new CartStore(redis, keyPrefix);
  const running: RunningSubgraph = await startSubgraph(
    cartSubgraph({ prisma: db, redis, keyPrefix, relay: false, consumer: false }),
    { port: 0 },
  );
  return {
    url: running.url,
    db,
    queries,
    redis,
    store,
    gql: (query, options) => graphql(running.url, query, options),
    ok: (query, options) => graphqlOk(running.url, query, options),
    async stop() {
      await running.stop();
      await store.flushPrefix();
      await redis.quit();
      await db.$disconnect();
    },
  };
}

/** Every cart table emptied (discount codes back to the seeded two); each test file starts from nothing. */
export async function truncateAll(db: CartPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE carts, cart_lines, cart_merges, cart_checkouts, catalog_variants, catalog_variant_prices, outbox_events, processed_events, discount_code_uses, audit_entries RESTART IDENTITY CASCADE',
  );
  await db.discountCode.deleteMany({ where: { code: { notIn: ['WELCOME10', 'TAKE5'] } } });
  await db.discountCode.updateMany({ data: { timesUsed: 0 } });
}

export interface Tokens {
  admin: string;
  alice: string;
  aliceId: string;
  bob: string;
  bobId: string;
}

export async function tokens(): Promise<Tokens> {
  const admin = await tokenFor({ roles: ['ADMIN'] });
  const alice = await tokenFor({ roles: ['CUSTOMER'] });
  const bob = await tokenFor({ roles: ['CUSTOMER'] });
  return { admin: admin.token, alice: alice.token, aliceId: alice.userId, bob: bob.token, bobId: bob.userId };
}

export interface SeedVariant {
  variantId: string;
  sku: string;
  name?: string;
  prices: { currency: string; amountMinor: number }[];
}

let skuCounter = 0;

/** A product snapshot as the catalog would publish it. */
export function productSnapshot(input: {
  productId?: string;
  name?: string;
  status?: 'DRAFT' | 'ACTIVE' | 'ARCHIVED';
  variants: SeedVariant[];
  updatedAt?: Date;
}): ProductSnapshot {
  const now = (input.updatedAt ?? new Date()).toISOString();
  return {
    productId: input.productId ?? randomUUID(),
    slug: `p-${randomUUID().slice(0, 8)}`,
    name: input.name ?? 'Linen Shirt',
    description: '',
    brand: null,
    status: input.status ?? 'ACTIVE',
    categoryId: randomUUID(),
    categoryPath: [],
    images: [],
    variants: input.variants.map((variant) => ({
      variantId: variant.variantId,
      sku: variant.sku,
      name: variant.name ?? 'M',
      options: [],
      prices: variant.prices,
    })),
    ratingAverage: null,
    ratingCount: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export interface SeededProduct {
  productId: string;
  variants: { variantId: string; sku: string }[];
  snapshot: ProductSnapshot;
}

/**
 * Puts a product into the cart's read model through the consumer's own
 * snapshot handler (what product.created does), without Kafka. Default
 * prices: each variant 1000 USD / 900 EUR minor units.
 */
export async function seedProduct(
  db: CartPrisma,
  input: {
    name?: string;
    status?: 'DRAFT' | 'ACTIVE' | 'ARCHIVED';
    variants?: { name?: string; prices?: { currency: string; amountMinor: number }[] }[];
    productId?: string;
  } = {},
): Promise<SeededProduct> {
  const variants = (input.variants ?? [{}]).map((variant) => ({
    variantId: randomUUID(),
    sku: `SKU-${process.pid}-${++skuCounter}`,
    name: variant.name ?? 'M',
    prices: variant.prices ?? [
      { currency: 'USD', amountMinor: 1000 },
      { currency: 'EUR', amountMinor: 900 },
    ],
  }));
  const snapshot = productSnapshot({ productId: input.productId, name: input.name, status: input.status, variants });
  await db.$transaction((tx) => applyProductSnapshot(tx, snapshot));
  return { productId: snapshot.productId, variants: variants.map(({ variantId, sku }) => ({ variantId, sku })), snapshot };
}

export interface OutboxRow {
  event_type: string;
  aggregate_id: string;
  event_id: string;
  envelope: { type: string; aggregateId: string; payload: Record<string, unknown> };
}

export const outboxRows = (db: CartPrisma, aggregateId: string): Promise<OutboxRow[]> =>
  db.$queryRaw<OutboxRow[]>`SELECT event_type, aggregate_id, event_id::text AS event_id, envelope FROM outbox_events WHERE aggregate_id = ${aggregateId} ORDER BY position`;

/** A GraphQL error response must never leak internals. */
export function expectNoInternals(result: GraphQLResponse<unknown>): void {
  const text = JSON.stringify(result.errors ?? []);
  expect(text).not.toMatch(/stacktrace|prisma|at \w+ \(|\.ts:\d+|SELECT|INSERT/i);
}

export const CART_FIELDS = `id currency discountCode itemCount updatedAt
  lines { id quantity sku productId title available variant { id } unitPrice { amountMinor currency } lineTotal { amountMinor currency } }
  savedForLater { id quantity sku }
  totals { subtotal { amountMinor currency } discount { amountMinor } estimatedTax { amountMinor } estimatedShipping { amountMinor } total { amountMinor currency } }`;

export interface CartLineView {
  id: string;
  quantity: number;
  sku: string;
  productId: string;
  title: string;
  available: boolean;
  variant: { id: string };
  unitPrice: { amountMinor: number; currency: string };
  lineTotal: { amountMinor: number; currency: string };
}

export interface CartView {
  id: string;
  currency: string;
  discountCode: string | null;
  itemCount: number;
  updatedAt: string;
  lines: CartLineView[];
  savedForLater: { id: string; quantity: number; sku: string }[];
  totals: {
    subtotal: { amountMinor: number; currency: string };
    discount: { amountMinor: number };
    estimatedTax: { amountMinor: number };
    estimatedShipping: { amountMinor: number };
    total: { amountMinor: number; currency: string };
  };
}

export interface CartPayloadView {
  cart: CartView;
  cartToken: string | null;
}

export const CREATE_CART = `mutation ($input: CreateCartInput) { createCart(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const ADD_LINE = `mutation ($input: AddCartLineInput!) { addCartLine(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const UPDATE_QUANTITY = `mutation ($input: UpdateCartLineQuantityInput!) { updateCartLineQuantity(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const REMOVE_LINE = `mutation ($input: RemoveCartLineInput!) { removeCartLine(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const APPLY_CODE = `mutation ($input: ApplyDiscountCodeInput!) { applyDiscountCode(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const REMOVE_CODE = `mutation ($input: RemoveDiscountCodeInput!) { removeDiscountCode(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const SAVE_FOR_LATER = `mutation ($input: SaveCartLineForLaterInput!) { saveCartLineForLater(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const MOVE_TO_CART = `mutation ($input: MoveSavedLineToCartInput!) { moveSavedLineToCart(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const SET_CURRENCY = `mutation ($input: SetCartCurrencyInput!) { setCartCurrency(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const MERGE = `mutation ($input: MergeCartInput!) { mergeCart(input: $input) { cartToken cart { ${CART_FIELDS} } } }`;
export const CART = `query ($id: ID!, $cartToken: String) { cart(id: $id, cartToken: $cartToken) { ${CART_FIELDS} } }`;
export const MY_CART = `query { myCart { ${CART_FIELDS} } }`;

/** The exact query the orders subgraph sends (docs/checkout.md). */
export const CART_FOR_CHECKOUT = `query CartForCheckout($id: ID!) { cart(id: $id) { id currency discountCode
    lines { id quantity sku productId title variant { id } unitPrice { amountMinor currency } lineTotal { amountMinor currency } }
    totals { subtotal { amountMinor } discount { amountMinor } estimatedTax { amountMinor } estimatedShipping { amountMinor } total { amountMinor currency } } } }`;

/** Runs a cart mutation and returns its payload (fails on errors). */
export async function mutate(
  server: TestServer,
  mutation: string,
  input: Record<string, unknown> | undefined,
  token?: string,
): Promise<CartPayloadView> {
  const data = await server.ok<Record<string, CartPayloadView>>(mutation, { token, variables: input ? { input } : {} });
  const payload = Object.values(data)[0];
  if (!payload) throw new Error('no payload');
  return payload;
}

/** An anonymous cart and its token. */
export async function anonymousCart(server: TestServer, currency = 'USD'): Promise<{ id: string; token: string }> {
  const created = await mutate(server, CREATE_CART, { currency });
  if (!created.cartToken) throw new Error('no cart token');
  return { id: created.cart.id, token: created.cartToken };
}
