import { randomUUID } from 'node:crypto';
import { errorCode, eventually } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADD_LINE,
  CART,
  CART_FOR_CHECKOUT,
  CREATE_CART,
  MY_CART,
  mutate,
  outboxRows,
  REMOVE_LINE,
  SAVE_FOR_LATER,
  seedProduct,
  startTestServer,
  tokens,
  truncateAll,
  UPDATE_QUANTITY,
  type CartView,
  type SeededProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let shirt: SeededProduct;
let mug: SeededProduct;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  shirt = await seedProduct(server.db, { name: 'Linen Shirt', variants: [{ name: 'M' }, { name: 'L' }] });
  mug = await seedProduct(server.db, { name: 'Mug', variants: [{ name: 'Blue', prices: [{ currency: 'USD', amountMinor: 1250 }] }] });
});

beforeEach(async () => {
  // Fresh users for every test: one cart per user.
  auth = await tokens();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (product: SeededProduct, index = 0) => product.variants[index]!.variantId;

async function myCart(token: string): Promise<CartView | null> {
  return (await server.ok<{ myCart: CartView | null }>(MY_CART, { token })).myCart;
}

describe('signed-in carts', () => {
  it('myCart is null until the first add creates the cart; one cart per user', async () => {
    expect(await myCart(auth.alice)).toBeNull();
    expect((await server.ok<{ myCart: null }>(MY_CART)).myCart).toBeNull();

    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 2 }, auth.alice);
    expect(added.cartToken).toBeNull();
    const again = await mutate(server, ADD_LINE, { variantId: variant(mug) }, auth.alice);
    expect(again.cart.id).toBe(added.cart.id);
    // createCart for a signed-in user returns their cart (no token, currency unchanged).
    const created = await mutate(server, CREATE_CART, { currency: 'EUR' }, auth.alice);
    expect(created).toMatchObject({ cartToken: null, cart: { id: added.cart.id, currency: 'USD' } });

    const cart = await myCart(auth.alice);
    expect(cart?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [shirt.variants[0]!.sku, 2],
      [mug.variants[0]!.sku, 1],
    ]);
    expect(await server.db.cart.count({ where: { userId: auth.aliceId } })).toBe(1);
  });

  it('createCart for a user without one creates it in the asked currency', async () => {
    const created = await mutate(server, CREATE_CART, { currency: 'EUR' }, auth.bob);
    expect(created.cart.currency).toBe('EUR');
    expect((await myCart(auth.bob))?.id).toBe(created.cart.id);
  });

  it('writes every change through to PostgreSQL, with its events in the same transaction', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 2 }, auth.alice);
    const cartId = added.cart.id;
    const lineId = added.cart.lines[0]!.id;
    await mutate(server, UPDATE_QUANTITY, { lineId, quantity: 5 }, auth.alice);
    let row = await server.db.cart.findUniqueOrThrow({ where: { id: cartId }, include: { lines: true } });
    expect(row.lines.map((l) => [l.variantId, l.quantity, l.savedForLater])).toEqual([[variant(shirt), 5, false]]);
    expect(row.version).toBe(3);

    await mutate(server, SAVE_FOR_LATER, { cartId, lineId }, auth.alice);
    row = await server.db.cart.findUniqueOrThrow({ where: { id: cartId }, include: { lines: true } });
    expect(row.lines.map((l) => [l.quantity, l.savedForLater])).toEqual([[5, true]]);
    const events = await outboxRows(server.db, cartId);
    expect(events.map((e) => [e.event_type, e.envelope.payload])).toEqual([
      ['cart.line_added', { cartId, userId: auth.aliceId, variantId: variant(shirt), quantity: 2 }],
      ['cart.line_added', { cartId, userId: auth.aliceId, variantId: variant(shirt), quantity: 5 }],
      ['cart.line_removed', { cartId, userId: auth.aliceId, variantId: variant(shirt) }],
    ]);
  });

  it('sets a 7-day TTL on the cart and on the user index', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt) }, auth.alice);
    const week = 7 * 24 * 60 * 60 * 1000;
    for (const ttl of [await server.store.ttlMs(added.cart.id), await server.redis.pttl(server.store.userKey(auth.aliceId))]) {
      expect(ttl).toBeGreaterThan(week - 60_000);
      expect(ttl).toBeLessThanOrEqual(week);
    }
    const row = await server.db.cart.findUniqueOrThrow({ where: { id: added.cart.id } });
    expect(row.expiresAt.getTime() - row.updatedAt.getTime()).toBe(week);
  });

  it('a flushed Redis loses nothing: reads reload from PostgreSQL and refill Redis', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 3 }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
    await mutate(server, SAVE_FOR_LATER, { lineId: added.cart.lines[0]!.id }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(shirt, 1), quantity: 4 }, auth.alice);
    const before = await myCart(auth.alice);

    // FLUSHDB, for this test run's keys only.
    expect(await server.store.flushPrefix()).toBeGreaterThan(0);
    expect(await server.redis.exists(server.store.cartKey(added.cart.id))).toBe(0);

    expect(await myCart(auth.alice)).toEqual(before);
    expect(await server.redis.exists(server.store.cartKey(added.cart.id))).toBe(1);

    // By id too, and mutations carry on from the durable state.
    await server.store.flushPrefix();
    const byId = await server.ok<{ cart: CartView }>(CART, { token: auth.alice, variables: { id: added.cart.id } });
    expect(byId.cart).toEqual(before);
    await server.store.flushPrefix();
    const next = await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
    expect(next.cart.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [mug.variants[0]!.sku, 2],
      [shirt.variants[1]!.sku, 4],
    ]);
    expect(next.cart.savedForLater.map((l) => [l.sku, l.quantity])).toEqual([[shirt.variants[0]!.sku, 3]]);
  });

  it('a refill keeps the time the cart has left', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt) }, auth.alice);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await server.db.cart.update({
      where: { id: added.cart.id },
      data: { updatedAt: twoDaysAgo, expiresAt: new Date(twoDaysAgo.getTime() + 7 * 24 * 60 * 60 * 1000) },
    });
    await server.store.flushPrefix();
    expect(await myCart(auth.alice)).not.toBeNull();
    const ttl = await server.store.ttlMs(added.cart.id);
    expect(ttl).toBeGreaterThan(5 * 24 * 60 * 60 * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 24 * 60 * 60 * 1000);
  });

  it('an expired durable copy is gone, as the Redis key would be', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt) }, auth.alice);
    await server.db.cart.update({ where: { id: added.cart.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await server.store.flushPrefix();
    expect(await myCart(auth.alice)).toBeNull();
    // The next add starts a new cart.
    const fresh = await mutate(server, ADD_LINE, { variantId: variant(mug) }, auth.alice);
    expect(fresh.cart.id).not.toBe(added.cart.id);
    expect(fresh.cart.lines.map((l) => l.sku)).toEqual([mug.variants[0]!.sku]);
  });

  it('concurrent changes to one user cart serialize on its row', async () => {
    await mutate(server, ADD_LINE, { variantId: variant(mug) }, auth.alice);
    await Promise.all(Array.from({ length: 8 }, () => mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 3 }, auth.alice)));
    const cart = await myCart(auth.alice);
    expect(cart?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [mug.variants[0]!.sku, 1],
      [shirt.variants[0]!.sku, 24],
    ]);
    // Redis holds the latest version.
    const redisCopy = await server.store.get(cart!.id);
    const row = await server.db.cart.findUniqueOrThrow({ where: { id: cart!.id } });
    expect(redisCopy?.version).toBe(row.version);
  });

  it('a change that waited for the row lock starts from the lines the lock holder committed', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 1 }, auth.alice);
    const cartId = added.cart.id;
    let waiting: Promise<unknown> | undefined;
    await server.db.$transaction(async (tx) => {
      // Another writer holds the row and adds a line (with its version bump) that our mutation's snapshot will not see.
      await tx.$queryRaw`SELECT id FROM carts WHERE id = ${cartId}::uuid FOR UPDATE`;
      await tx.cartLine.create({
        data: {
          id: randomUUID(),
          cartId,
          savedForLater: false,
          position: 1,
          variantId: variant(mug),
          productId: mug.productId,
          sku: mug.variants[0]!.sku,
          title: 'Mug – Blue',
          quantity: 4,
          addedAt: new Date(),
        },
      });
      await tx.cart.update({ where: { id: cartId }, data: { version: { increment: 1 } } });
      waiting = mutate(server, ADD_LINE, { variantId: variant(shirt, 1), quantity: 2 }, auth.alice);
      await eventually(async () => {
        const [blocked] = await server.db.$queryRaw<{ count: number }[]>`
          SELECT count(*)::int AS count FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE OF c%'`;
        return blocked?.count === 1 ? true : undefined;
      });
    });
    await waiting;
    const row = await server.db.cart.findUniqueOrThrow({
      where: { id: cartId },
      include: { lines: { orderBy: { position: 'asc' } } },
    });
    expect(row.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [variant(shirt), 1],
      [variant(mug), 4],
      [variant(shirt, 1), 2],
    ]);
    expect(row.version).toBe(4);
    expect((await myCart(auth.alice))?.lines.map((l) => l.quantity)).toEqual([1, 4, 2]);
  });

  it('concurrent first adds still make one cart', async () => {
    await Promise.all(Array.from({ length: 5 }, () => mutate(server, ADD_LINE, { variantId: variant(shirt) }, auth.bob)));
    expect(await server.db.cart.count({ where: { userId: auth.bobId } })).toBe(1);
    expect((await myCart(auth.bob))?.lines.map((l) => l.quantity)).toEqual([5]);
  });

  it('serves the exact query the orders subgraph sends', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 2 }, auth.alice);
    const data = await server.ok<{ cart: Record<string, unknown> }>(CART_FOR_CHECKOUT, {
      token: auth.alice,
      variables: { id: added.cart.id },
    });
    expect(data.cart).toEqual({
      id: added.cart.id,
      currency: 'USD',
      discountCode: null,
      lines: [
        {
          id: added.cart.lines[0]!.id,
          quantity: 2,
          sku: shirt.variants[0]!.sku,
          productId: shirt.productId,
          title: 'Linen Shirt – M',
          variant: { id: variant(shirt) },
          unitPrice: { amountMinor: 1000, currency: 'USD' },
          lineTotal: { amountMinor: 2000, currency: 'USD' },
        },
      ],
      totals: {
        subtotal: { amountMinor: 2000 },
        discount: { amountMinor: 0 },
        estimatedTax: { amountMinor: 160 },
        estimatedShipping: { amountMinor: 499 },
        total: { amountMinor: 2659, currency: 'USD' },
      },
    });
  });
});

describe('access to users carts', () => {
  it("another user's cart is FORBIDDEN; anonymously it is UNAUTHENTICATED; admins may read it", async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt) }, auth.alice);
    const id = added.cart.id;
    const lineId = added.cart.lines[0]!.id;
    expect(errorCode(await server.gql(CART, { token: auth.bob, variables: { id } }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(CART, { variables: { id } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(REMOVE_LINE, { token: auth.bob, variables: { input: { cartId: id, lineId } } }))).toBe('FORBIDDEN');
    // A token does not open a user's cart.
    expect(errorCode(await server.gql(REMOVE_LINE, { variables: { input: { cartId: id, cartToken: 'x', lineId } } }))).toBe(
      'UNAUTHENTICATED',
    );
    const asAdmin = await server.ok<{ cart: CartView }>(CART, { token: auth.admin, variables: { id } });
    expect(asAdmin.cart.lines).toHaveLength(1);
    expect(errorCode(await server.gql(REMOVE_LINE, { token: auth.admin, variables: { input: { cartId: id, lineId } } }))).toBe(
      'FORBIDDEN',
    );
    // Bob's own operations never reach Alice's cart.
    await mutate(server, ADD_LINE, { variantId: variant(mug) }, auth.bob);
    expect((await myCart(auth.alice))?.lines).toHaveLength(1);
  });

  it('User.cart and Cart references are for the owner and admins', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 2 }, auth.alice);
    const userQuery = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id cart { id itemCount } } } }`;
    const variables = { reps: [{ __typename: 'User', id: auth.aliceId }] };
    const own = await server.ok<{ _entities: unknown[] }>(userQuery, { token: auth.alice, variables });
    expect(own._entities).toEqual([{ id: auth.aliceId, cart: { id: added.cart.id, itemCount: 2 } }]);
    const admin = await server.ok<{ _entities: unknown[] }>(userQuery, { token: auth.admin, variables });
    expect(admin._entities).toEqual(own._entities);
    expect(errorCode(await server.gql(userQuery, { token: auth.bob, variables }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(userQuery, { variables }))).toBe('UNAUTHENTICATED');

    const cartQuery = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Cart { id itemCount } } }`;
    const cartVars = { reps: [{ __typename: 'Cart', id: added.cart.id }] };
    expect((await server.ok<{ _entities: unknown[] }>(cartQuery, { token: auth.alice, variables: cartVars }))._entities).toEqual([
      { id: added.cart.id, itemCount: 2 },
    ]);
    expect(errorCode(await server.gql(cartQuery, { token: auth.bob, variables: cartVars }))).toBe('FORBIDDEN');
  });
});
