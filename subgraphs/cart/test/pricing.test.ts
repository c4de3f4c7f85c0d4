/** Totals, discount codes, currencies and availability, through the graph. */
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProductSnapshot } from '../src/data/read-model.js';
import {
  ADD_LINE,
  anonymousCart,
  APPLY_CODE,
  CART,
  mutate,
  productSnapshot,
  REMOVE_CODE,
  seedProduct,
  SET_CURRENCY,
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
let jacket: SeededProduct;
let usdOnly: SeededProduct;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  shirt = await seedProduct(server.db, {
    name: 'Shirt',
    variants: [{ name: 'M', prices: [{ currency: 'USD', amountMinor: 1999 }, { currency: 'EUR', amountMinor: 1899 }] }],
  });
  jacket = await seedProduct(server.db, {
    name: 'Jacket',
    variants: [{ name: 'L', prices: [{ currency: 'USD', amountMinor: 500 }, { currency: 'EUR', amountMinor: 450 }] }],
  });
  usdOnly = await seedProduct(server.db, { name: 'Import', variants: [{ prices: [{ currency: 'USD', amountMinor: 700 }] }] });
  await server.db.discountCode.create({
    data: { code: 'OLD20', kind: 'PERCENT', percentOff: 20, expiresAt: new Date(Date.now() - 60_000) },
  });
  await server.db.discountCode.create({ data: { code: 'OFF', kind: 'PERCENT', percentOff: 20, active: false } });
  await server.db.discountCode.create({
    data: { code: 'USD3', kind: 'FIXED', amounts: { create: [{ currency: 'USD', amountMinor: 300 }] } },
  });
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (product: SeededProduct) => product.variants[0]!.variantId;

async function cartWith(currency: 'USD' | 'EUR', lines: [SeededProduct, number][]) {
  const { id, token } = await anonymousCart(server, currency);
  for (const [product, quantity] of lines) {
    await mutate(server, ADD_LINE, { cartId: id, cartToken: token, variantId: variant(product), quantity });
  }
  return { id, token, sel: { cartId: id, cartToken: token } };
}

const totalsOf = (cart: CartView) => ({
  subtotal: cart.totals.subtotal.amountMinor,
  discount: cart.totals.discount.amountMinor,
  tax: cart.totals.estimatedTax.amountMinor,
  shipping: cart.totals.estimatedShipping.amountMinor,
  total: cart.totals.total.amountMinor,
});

describe('totals', () => {
  it('USD: 8 % tax estimate and flat shipping; WELCOME10 takes 10 % off', async () => {
    const { sel } = await cartWith('USD', [
      [shirt, 2],
      [jacket, 1],
    ]);
    let cart = (await mutate(server, CART_READ_AS_MUTATION, sel)).cart;
    expect(totalsOf(cart)).toEqual({ subtotal: 4498, discount: 0, tax: 360, shipping: 499, total: 5357 });
    expect(cart.lines.map((l) => l.lineTotal)).toEqual([
      { amountMinor: 3998, currency: 'USD' },
      { amountMinor: 500, currency: 'USD' },
    ]);
    cart = (await mutate(server, APPLY_CODE, { ...sel, code: ' welcome10 ' })).cart;
    expect(cart.discountCode).toBe('WELCOME10');
    expect(totalsOf(cart)).toEqual({ subtotal: 4498, discount: 450, tax: 324, shipping: 499, total: 4871 });
    expect(cart.totals.total.currency).toBe('USD');
    cart = (await mutate(server, REMOVE_CODE, sel)).cart;
    expect(cart.discountCode).toBeNull();
    expect(totalsOf(cart).total).toBe(5357);
  });

  it('EUR: 19 % estimate, free shipping from 50.00; TAKE5 takes 5.00 off', async () => {
    const { sel } = await cartWith('EUR', [[shirt, 3]]);
    let cart = (await mutate(server, APPLY_CODE, { ...sel, code: 'TAKE5' })).cart;
    expect(totalsOf(cart)).toEqual({ subtotal: 5697, discount: 500, tax: 987, shipping: 0, total: 6184 });
    expect(cart.totals.subtotal.currency).toBe('EUR');
    cart = (await mutate(server, REMOVE_CODE, sel)).cart;
    expect(totalsOf(cart)).toEqual({ subtotal: 5697, discount: 0, tax: 1082, shipping: 0, total: 6779 });
  });

  it('an empty cart costs nothing, code or not', async () => {
    const { sel } = await cartWith('USD', []);
    const cart = (await mutate(server, APPLY_CODE, { ...sel, code: 'TAKE5' })).cart;
    expect(totalsOf(cart)).toEqual({ subtotal: 0, discount: 0, tax: 0, shipping: 0, total: 0 });
  });
});

describe('discount codes', () => {
  it('unknown, expired, inactive or wrong-currency codes are INVALID_DISCOUNT_CODE', async () => {
    const { sel } = await cartWith('EUR', [[shirt, 1]]);
    for (const code of ['NOPE', 'OLD20', 'OFF', 'USD3', '', 'X'.repeat(100)]) {
      const result = await server.gql(APPLY_CODE, { variables: { input: { ...sel, code } } });
      expect(errorCode(result)).toBe('INVALID_DISCOUNT_CODE');
    }
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(read.cart.discountCode).toBeNull();
  });

  it('a code that expires while in the cart stops taking anything off', async () => {
    await server.db.discountCode.create({ data: { code: 'BRIEF', kind: 'PERCENT', percentOff: 50 } });
    const { sel } = await cartWith('USD', [[jacket, 2]]);
    expect(totalsOf((await mutate(server, APPLY_CODE, { ...sel, code: 'brief' })).cart).discount).toBe(500);
    await server.db.discountCode.update({ where: { code: 'BRIEF' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(read.cart.discountCode).toBe('BRIEF');
    expect(totalsOf(read.cart).discount).toBe(0);
  });
});

describe('currency', () => {
  it('switching re-reads every price in the new currency', async () => {
    const { sel } = await cartWith('USD', [
      [shirt, 1],
      [jacket, 2],
    ]);
    const cart = (await mutate(server, SET_CURRENCY, { ...sel, currency: 'EUR' })).cart;
    expect(cart.currency).toBe('EUR');
    expect(cart.lines.map((l) => l.unitPrice)).toEqual([
      { amountMinor: 1899, currency: 'EUR' },
      { amountMinor: 450, currency: 'EUR' },
    ]);
    expect(totalsOf(cart)).toEqual({ subtotal: 2799, discount: 0, tax: 532, shipping: 499, total: 3830 });
  });

  it('a variant not priced in the new currency blocks the switch with a clear error', async () => {
    const { sel } = await cartWith('USD', [
      [shirt, 1],
      [usdOnly, 1],
    ]);
    const result = await server.gql(SET_CURRENCY, { variables: { input: { ...sel, currency: 'EUR' } } });
    expect(errorCode(result)).toBe('UNSUPPORTED_CURRENCY');
    expect(result.errors?.[0]?.message).toContain(usdOnly.variants[0]!.sku);
    expect(result.errors?.[0]?.extensions?.skus).toEqual([usdOnly.variants[0]!.sku]);
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(read.cart.currency).toBe('USD');
  });

  it('adding a variant not priced in the cart currency is UNSUPPORTED_CURRENCY', async () => {
    const { sel } = await cartWith('EUR', []);
    const result = await server.gql(ADD_LINE, { variables: { input: { ...sel, variantId: variant(usdOnly) } } });
    expect(errorCode(result)).toBe('UNSUPPORTED_CURRENCY');
  });
});

describe('availability and price freshness', () => {
  it('an archived product stays in the cart, flagged unavailable and left out of totals', async () => {
    const doomed = await seedProduct(server.db, { name: 'Doomed', variants: [{ name: 'S' }] });
    const { sel } = await cartWith('USD', [
      [doomed, 2],
      [jacket, 1],
    ]);
    await server.db.$transaction((tx) =>
      applyProductSnapshot(tx, { ...doomed.snapshot, status: 'ARCHIVED', updatedAt: new Date(Date.now() + 1000).toISOString() }),
    );
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(read.cart.lines.map((l) => [l.title, l.available, l.unitPrice.amountMinor, l.lineTotal.amountMinor])).toEqual([
      ['Doomed – S', false, 1000, 0],
      ['Jacket – L', true, 500, 500],
    ]);
    expect(totalsOf(read.cart)).toEqual({ subtotal: 500, discount: 0, tax: 40, shipping: 499, total: 1039 });
    // Adding it again is NOT_FOUND.
    const again = await server.gql(ADD_LINE, { variables: { input: { ...sel, variantId: variant(doomed) } } });
    expect(errorCode(again)).toBe('NOT_FOUND');
  });

  it('prices and names are read from the read model at read time', async () => {
    const product = await seedProduct(server.db, { name: 'Lamp', variants: [{ name: 'Brass' }] });
    const { sel } = await cartWith('USD', [[product, 3]]);
    const v = product.snapshot.variants[0]!;
    await server.db.$transaction((tx) =>
      applyProductSnapshot(
        tx,
        productSnapshot({
          productId: product.productId,
          name: 'Desk Lamp',
          variants: [{ variantId: v.variantId, sku: v.sku, name: 'Brass', prices: [{ currency: 'USD', amountMinor: 1500 }] }],
          updatedAt: new Date(Date.now() + 1000),
        }),
      ),
    );
    const read = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(read.cart.lines[0]).toMatchObject({ title: 'Desk Lamp – Brass', unitPrice: { amountMinor: 1500 }, lineTotal: { amountMinor: 4500 } });
    // An older snapshot arriving late changes nothing.
    await server.db.$transaction((tx) => applyProductSnapshot(tx, product.snapshot));
    const again = await server.ok<{ cart: CartView }>(CART, { variables: { id: sel.cartId, cartToken: sel.cartToken } });
    expect(again.cart.lines[0]?.title).toBe('Desk Lamp – Brass');
  });

  it('reading carts costs the same statements for 1 line or 40 (variants and codes load in batches)', async () => {
    const many = await seedProduct(server.db, { variants: Array.from({ length: 40 }, (_, i) => ({ name: `V${i}` })) });
    const small = await cartWith('USD', [[shirt, 1]]);
    const big = await anonymousCart(server);
    for (const v of many.variants) await mutate(server, ADD_LINE, { cartId: big.id, cartToken: big.token, variantId: v.variantId });
    for (const cart of [small.sel, { cartId: big.id, cartToken: big.token }]) {
      await mutate(server, APPLY_CODE, { ...cart, code: 'WELCOME10' });
    }
    const count = async (id: string, cartToken: string): Promise<number> => {
      server.queries.length = 0;
      await server.ok(CART, { variables: { id, cartToken } });
      return server.queries.length;
    };
    const one = await count(small.id, small.token);
    const forty = await count(big.id, big.token);
    expect(forty).toBe(one);
    expect(one).toBeLessThanOrEqual(4);

    // Several carts in one request (admin, by user): still one batch.
    const users = await Promise.all([tokens(), tokens(), tokens()]);
    for (const user of users) await mutate(server, ADD_LINE, { variantId: variant(shirt) }, user.alice);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { cart { totals { total { amountMinor } } lines { title } } } } }`;
    server.queries.length = 0;
    const data = await server.ok<{ _entities: unknown[] }>(query, {
      token: auth.admin,
      variables: { reps: users.map((user) => ({ __typename: 'User', id: user.aliceId })) },
    });
    expect(data._entities).toHaveLength(3);
    expect(server.queries.length).toBeLessThanOrEqual(2);
  });
});

/** A no-op change (removing no code) returns the cart: a cheap "read" through the mutation path. */
const CART_READ_AS_MUTATION = REMOVE_CODE;
