import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADD_LINE,
  anonymousCart,
  APPLY_CODE,
  CART,
  MERGE,
  MY_CART,
  mutate,
  outboxRows,
  SAVE_FOR_LATER,
  seedProduct,
  startTestServer,
  tokens,
  truncateAll,
  type CartView,
  type SeededProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let shirt: SeededProduct;
let mug: SeededProduct;
let hat: SeededProduct;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  shirt = await seedProduct(server.db, { name: 'Shirt' });
  mug = await seedProduct(server.db, { name: 'Mug' });
  hat = await seedProduct(server.db, { name: 'Hat' });
});

beforeEach(async () => {
  auth = await tokens();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (product: SeededProduct) => product.variants[0]!.variantId;
const linesOf = (cart: CartView | null | undefined) => cart?.lines.map((l) => [l.title, l.quantity]) ?? [];

async function myCart(token: string): Promise<CartView | null> {
  return (await server.ok<{ myCart: CartView | null }>(MY_CART, { token })).myCart;
}

async function filledAnonymousCart(lines: [SeededProduct, number][]) {
  const cart = await anonymousCart(server);
  for (const [product, quantity] of lines) {
    await mutate(server, ADD_LINE, { cartId: cart.id, cartToken: cart.token, variantId: variant(product), quantity });
  }
  return cart;
}

describe('mergeCart', () => {
  it('adds up the same variant, appends the rest, and deletes the anonymous cart', async () => {
    await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 2 }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
    const anon = await filledAnonymousCart([
      [shirt, 3],
      [hat, 1],
    ]);

    const merged = await mutate(server, MERGE, { cartId: anon.id, cartToken: anon.token }, auth.alice);
    expect(linesOf(merged.cart)).toEqual([
      ['Shirt – M', 5],
      ['Mug – M', 1],
      ['Hat – M', 1],
    ]);
    expect(merged.cartToken).toBeNull();
    expect(linesOf(await myCart(auth.alice))).toEqual(linesOf(merged.cart));

    // The anonymous cart is gone.
    expect(await server.store.get(anon.id)).toBeNull();
    const read = await server.gql<{ cart: null }>(CART, { variables: { id: anon.id, cartToken: anon.token } });
    expect(read.data?.cart).toBeNull();

    // Durable copy written, events for what the user's cart gained.
    const row = await server.db.cart.findUniqueOrThrow({ where: { id: merged.cart.id }, include: { lines: true } });
    expect(row.lines).toHaveLength(3);
    const events = (await outboxRows(server.db, merged.cart.id)).slice(-2).map((e) => e.envelope.payload);
    expect(events).toEqual([
      { cartId: merged.cart.id, userId: auth.aliceId, variantId: variant(shirt), quantity: 5 },
      { cartId: merged.cart.id, userId: auth.aliceId, variantId: variant(hat), quantity: 1 },
    ]);
  });

  it('merging twice is a no-op', async () => {
    await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 1 }, auth.alice);
    const anon = await filledAnonymousCart([[shirt, 2]]);
    const first = await mutate(server, MERGE, { cartId: anon.id, cartToken: anon.token }, auth.alice);
    const eventsAfterFirst = (await outboxRows(server.db, first.cart.id)).length;
    const second = await mutate(server, MERGE, { cartId: anon.id, cartToken: anon.token }, auth.alice);
    expect(second.cart).toEqual(first.cart);
    expect(linesOf(second.cart)).toEqual([['Shirt – M', 3]]);
    expect((await outboxRows(server.db, first.cart.id)).length).toBe(eventsAfterFirst);
  });

  it('concurrent merges of one cart merge it once', async () => {
    await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
    const anon = await filledAnonymousCart([
      [mug, 2],
      [hat, 4],
    ]);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => server.gql(MERGE, { token: auth.alice, variables: { input: { cartId: anon.id, cartToken: anon.token } } })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(linesOf(await myCart(auth.alice))).toEqual([
      ['Mug – M', 3],
      ['Hat – M', 4],
    ]);
  });

  it('creates the user cart when there is none, keeping currency, saved lines and discount code', async () => {
    const anon = await anonymousCart(server, 'EUR');
    const sel = { cartId: anon.id, cartToken: anon.token };
    const added = await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 2 });
    await mutate(server, ADD_LINE, { ...sel, variantId: variant(hat), quantity: 1 });
    await mutate(server, SAVE_FOR_LATER, { ...sel, lineId: added.cart.lines[0]!.id });
    await mutate(server, APPLY_CODE, { ...sel, code: 'WELCOME10' });

    const merged = await mutate(server, MERGE, sel, auth.bob);
    expect(merged.cart.currency).toBe('EUR');
    expect(merged.cart.discountCode).toBe('WELCOME10');
    expect(linesOf(merged.cart)).toEqual([['Hat – M', 1]]);
    expect(merged.cart.savedForLater.map((l) => l.quantity)).toEqual([2]);
    expect((await myCart(auth.bob))?.id).toBe(merged.cart.id);
  });

  it('caps a merged line at 99', async () => {
    await mutate(server, ADD_LINE, { variantId: variant(hat), quantity: 90 }, auth.alice);
    const anon = await filledAnonymousCart([[hat, 20]]);
    const merged = await mutate(server, MERGE, { cartId: anon.id, cartToken: anon.token }, auth.alice);
    expect(linesOf(merged.cart)).toEqual([['Hat – M', 99]]);
  });

  it('needs a signed-in user and the cart token', async () => {
    const anon = await filledAnonymousCart([[shirt, 1]]);
    const input = { cartId: anon.id, cartToken: anon.token };
    expect(errorCode(await server.gql(MERGE, { variables: { input } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(MERGE, { token: auth.alice, variables: { input: { ...input, cartToken: 'wrong' } } }))).toBe(
      'FORBIDDEN',
    );
    expect(
      errorCode(
        await server.gql(MERGE, { token: auth.alice, variables: { input: { cartId: '0193a7d0-0000-7000-8000-000000000003', cartToken: 'x' } } }),
      ),
    ).toBe('NOT_FOUND');
    // Nothing merged.
    expect(await server.store.get(anon.id)).not.toBeNull();
    expect(await myCart(auth.alice)).toBeNull();

    // Once merged into Alice's cart, Bob cannot replay it, even with the token.
    await mutate(server, MERGE, input, auth.alice);
    expect(errorCode(await server.gql(MERGE, { token: auth.bob, variables: { input } }))).toBe('FORBIDDEN');
  });

  it("merging a user's cart: your own is a no-op, someone else's is FORBIDDEN", async () => {
    const own = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 1 }, auth.alice);
    const again = await mutate(server, MERGE, { cartId: own.cart.id, cartToken: 'x' }, auth.alice);
    expect(linesOf(again.cart)).toEqual([['Shirt – M', 1]]);
    expect(errorCode(await server.gql(MERGE, { token: auth.bob, variables: { input: { cartId: own.cart.id, cartToken: 'x' } } }))).toBe(
      'FORBIDDEN',
    );
  });
});
