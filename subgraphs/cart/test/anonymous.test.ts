import { randomUUID } from 'node:crypto';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCartToken } from '../src/service/cart-token.js';
import {
  ADD_LINE,
  anonymousCart,
  CART,
  CREATE_CART,
  expectNoInternals,
  MOVE_TO_CART,
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
let socks: SeededProduct;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  shirt = await seedProduct(server.db, { name: 'Linen Shirt', variants: [{ name: 'M' }, { name: 'L' }] });
  socks = await seedProduct(server.db, { name: 'Socks', variants: [{ name: '' }] });
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (product: SeededProduct, index = 0) => product.variants[index]!.variantId;

describe('anonymous carts', () => {
  it('createCart returns an empty cart and a token; only the token hash is stored', async () => {
    const created = await mutate(server, CREATE_CART, { currency: 'EUR' });
    expect(created.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.cart).toMatchObject({ currency: 'EUR', lines: [], itemCount: 0, discountCode: null });
    expect(created.cart.totals.total).toEqual({ amountMinor: 0, currency: 'EUR' });
    const raw = await server.redis.hget(server.store.cartKey(created.cart.id), 'd');
    expect(raw).not.toContain(created.cartToken);
    expect(JSON.parse(raw ?? '{}').tokenHash).toBe(hashCartToken(created.cartToken!));
    // Anonymous carts have no durable copy.
    expect(await server.db.cart.count({ where: { id: created.cart.id } })).toBe(0);
  });

  it('createCart defaults to USD', async () => {
    const created = await server.ok<{ createCart: { cart: { currency: string }; cartToken: string } }>(
      'mutation { createCart { cartToken cart { currency } } }',
    );
    expect(created.createCart.cart.currency).toBe('USD');
  });

  it('add, raise, update, save for later, move back and remove, with the token', async () => {
    const { id, token } = await anonymousCart(server);
    const sel = { cartId: id, cartToken: token };

    let cart: CartView = (await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 2 })).cart;
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]).toMatchObject({
      quantity: 2,
      sku: shirt.variants[0]!.sku,
      productId: shirt.productId,
      title: 'Linen Shirt – M',
      available: true,
      variant: { id: variant(shirt) },
      unitPrice: { amountMinor: 1000, currency: 'USD' },
      lineTotal: { amountMinor: 2000, currency: 'USD' },
    });

    // The same variant again raises the line.
    cart = (await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 3 })).cart;
    expect(cart.lines.map((l) => l.quantity)).toEqual([5]);
    cart = (await mutate(server, ADD_LINE, { ...sel, variantId: variant(socks) })).cart;
    expect(cart.lines.map((l) => [l.title, l.quantity])).toEqual([
      ['Linen Shirt – M', 5],
      ['Socks', 1],
    ]);
    expect(cart.itemCount).toBe(6);

    const shirtLine = cart.lines[0]!.id;
    const socksLine = cart.lines[1]!.id;
    cart = (await mutate(server, UPDATE_QUANTITY, { ...sel, lineId: shirtLine, quantity: 7 })).cart;
    expect(cart.lines[0]?.quantity).toBe(7);

    cart = (await mutate(server, SAVE_FOR_LATER, { ...sel, lineId: socksLine })).cart;
    expect(cart.lines.map((l) => l.id)).toEqual([shirtLine]);
    expect(cart.savedForLater).toEqual([{ id: socksLine, quantity: 1, sku: socks.variants[0]!.sku }]);
    expect(cart.totals.subtotal.amountMinor).toBe(7000);

    cart = (await mutate(server, MOVE_TO_CART, { ...sel, lineId: socksLine })).cart;
    expect(cart.savedForLater).toEqual([]);
    expect(cart.lines.map((l) => l.id)).toEqual([shirtLine, socksLine]);

    cart = (await mutate(server, UPDATE_QUANTITY, { ...sel, lineId: socksLine, quantity: 0 })).cart;
    expect(cart.lines.map((l) => l.id)).toEqual([shirtLine]);
    cart = (await mutate(server, REMOVE_LINE, { ...sel, lineId: shirtLine })).cart;
    expect(cart.lines).toEqual([]);
    expect(cart.totals.total.amountMinor).toBe(0);

    // Readable with the token.
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id, cartToken: token } });
    expect(read.cart.id).toBe(id);
  });

  it('publishes line events through the outbox, right after each Redis write', async () => {
    const { id, token } = await anonymousCart(server);
    const sel = { cartId: id, cartToken: token };
    const added = await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 2 });
    await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 1 });
    await mutate(server, UPDATE_QUANTITY, { ...sel, lineId: added.cart.lines[0]!.id, quantity: 1 });
    await mutate(server, REMOVE_LINE, { ...sel, lineId: added.cart.lines[0]!.id });
    const rows = await outboxRows(server.db, id);
    expect(rows.map((row) => [row.event_type, row.envelope.payload])).toEqual([
      ['cart.line_added', { cartId: id, userId: null, variantId: variant(shirt), quantity: 2 }],
      ['cart.line_added', { cartId: id, userId: null, variantId: variant(shirt), quantity: 3 }],
      // Lowering a quantity publishes nothing.
      ['cart.line_removed', { cartId: id, userId: null, variantId: variant(shirt) }],
    ]);
  });

  it('sets a 24-hour TTL, refreshed on every write', async () => {
    const { id, token } = await anonymousCart(server);
    const day = 24 * 60 * 60 * 1000;
    const ttl = await server.store.ttlMs(id);
    expect(ttl).toBeGreaterThan(day - 60_000);
    expect(ttl).toBeLessThanOrEqual(day);
    await server.redis.pexpire(server.store.cartKey(id), 60_000);
    await mutate(server, ADD_LINE, { cartId: id, cartToken: token, variantId: variant(socks) });
    expect(await server.store.ttlMs(id)).toBeGreaterThan(day - 60_000);
  });

  it('concurrent adds to one cart all count (compare-and-set retries)', async () => {
    const { id, token } = await anonymousCart(server);
    await Promise.all(
      Array.from({ length: 8 }, () => mutate(server, ADD_LINE, { cartId: id, cartToken: token, variantId: variant(socks), quantity: 2 })),
    );
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id, cartToken: token } });
    expect(read.cart.lines.map((l) => l.quantity)).toEqual([16]);
  });
});

describe('access', () => {
  it('a wrong or missing token is FORBIDDEN, for reads and writes', async () => {
    const { id, token } = await anonymousCart(server);
    const other = await anonymousCart(server);
    for (const cartToken of [undefined, 'nope', other.token]) {
      const read = await server.gql(CART, { variables: { id, cartToken } });
      expect(errorCode(read)).toBe('FORBIDDEN');
      expect(read.data?.cart ?? null).toBeNull();
      const write = await server.gql(ADD_LINE, { variables: { input: { cartId: id, cartToken, variantId: variant(shirt) } } });
      expect(errorCode(write)).toBe('FORBIDDEN');
      expectNoInternals(write);
    }
    // A signed-in user without the token is no better.
    expect(errorCode(await server.gql(CART, { token: auth.alice, variables: { id } }))).toBe('FORBIDDEN');
    // Nothing changed.
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id, cartToken: token } });
    expect(read.cart.lines).toEqual([]);
  });

  it('administrators may read any cart but not change it', async () => {
    const { id } = await anonymousCart(server);
    const read = await server.ok<{ cart: CartView }>(CART, { token: auth.admin, variables: { id } });
    expect(read.cart.id).toBe(id);
    const write = await server.gql(ADD_LINE, { token: auth.admin, variables: { input: { cartId: id, variantId: variant(shirt) } } });
    expect(errorCode(write)).toBe('FORBIDDEN');
  });

  it('an unknown cart is null for reads and NOT_FOUND for writes', async () => {
    const unknown = '0193a7d0-0000-7000-8000-000000000001';
    const read = await server.gql(CART, { variables: { id: unknown, cartToken: 'x' } });
    expect(read.errors).toBeUndefined();
    expect(read.data?.cart).toBeNull();
    expect((await server.gql(CART, { variables: { id: 'not-a-uuid' } })).data?.cart).toBeNull();
    const write = await server.gql(ADD_LINE, { variables: { input: { cartId: unknown, cartToken: 'x', variantId: variant(shirt) } } });
    expect(errorCode(write)).toBe('NOT_FOUND');
  });

  it('an anonymous caller must name the cart', async () => {
    const result = await server.gql(ADD_LINE, { variables: { input: { variantId: variant(shirt) } } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });

  it('Cart entity references check access too (owner or admin only: a reference carries no token)', async () => {
    const { id } = await anonymousCart(server);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Cart { id itemCount } } }`;
    const variables = { reps: [{ __typename: 'Cart', id }] };
    const anonymous = await server.gql(query, { variables });
    expect(errorCode(anonymous)).toBe('FORBIDDEN');
    const asAdmin = await server.ok<{ _entities: { id: string }[] }>(query, { token: auth.admin, variables });
    expect(asAdmin._entities).toEqual([{ id, itemCount: 0 }]);
  });
});

describe('adding variants', () => {
  it('unknown, draft and archived products are NOT_FOUND', async () => {
    const { id, token } = await anonymousCart(server);
    const draft = await seedProduct(server.db, { status: 'DRAFT' });
    const archived = await seedProduct(server.db, { status: 'ARCHIVED' });
    for (const variantId of ['0193a7d0-0000-7000-8000-000000000009', 'garbage', variant(draft), variant(archived)]) {
      const result = await server.gql(ADD_LINE, { variables: { input: { cartId: id, cartToken: token, variantId } } });
      expect(errorCode(result)).toBe('NOT_FOUND');
    }
  });

  it('quantities must be 1–99 per line (0–99 for updates)', async () => {
    const { id, token } = await anonymousCart(server);
    const sel = { cartId: id, cartToken: token };
    for (const quantity of [0, -1, 100]) {
      const result = await server.gql(ADD_LINE, { variables: { input: { ...sel, variantId: variant(shirt), quantity } } });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
    const added = await mutate(server, ADD_LINE, { ...sel, variantId: variant(shirt), quantity: 98 });
    const over = await server.gql(ADD_LINE, { variables: { input: { ...sel, variantId: variant(shirt), quantity: 2 } } });
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    const update = await server.gql(UPDATE_QUANTITY, { variables: { input: { ...sel, lineId: added.cart.lines[0]!.id, quantity: 100 } } });
    expect(errorCode(update)).toBe('BAD_USER_INPUT');
    const unknownLine = await server.gql(UPDATE_QUANTITY, {
      variables: { input: { ...sel, lineId: '0193a7d0-0000-7000-8000-000000000002', quantity: 1 } },
    });
    expect(errorCode(unknownLine)).toBe('NOT_FOUND');
  });

  it('a cart holds at most 100 lines', async () => {
    const many = await seedProduct(server.db, { variants: Array.from({ length: 101 }, (_, i) => ({ name: `V${i}` })) });
    const { id, token } = await anonymousCart(server);
    // 99 lines straight into Redis (quicker than 99 mutations), the 100th through the API.
    const stored = (await server.store.get(id))!;
    stored.lines = many.variants.slice(0, 99).map((v) => ({
      id: randomUUID(),
      variantId: v.variantId,
      productId: many.productId,
      sku: v.sku,
      title: 'x',
      quantity: 1,
      addedAt: new Date().toISOString(),
    }));
    expect(await server.store.put({ ...stored, version: stored.version + 1 }, { mode: 'cas', expectedVersion: stored.version })).toBe('ok');
    await mutate(server, ADD_LINE, { cartId: id, cartToken: token, variantId: variant(many, 99) });
    const over = await server.gql(ADD_LINE, { variables: { input: { cartId: id, cartToken: token, variantId: variant(many, 100) } } });
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id, cartToken: token } });
    expect(read.cart.lines).toHaveLength(100);
    expect(read.cart.totals.subtotal.amountMinor).toBe(100 * 1000);
  });
});
