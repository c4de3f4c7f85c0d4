/**
 * Discount codes for admins (issue 11), over the real subgraph and the real
 * ecommerce_cart_test database: create (normalised, unique, validated),
 * schedule and limits, optimistic concurrency, deactivate, the list with its
 * filter and total, the uses counted from order.placed (through the consumer's
 * own handler, in a transaction, as the Kafka consumer runs it), the limits and
 * their reasons on applyDiscountCode, and cartAuditLog.
 */
import { randomUUID } from 'node:crypto';
import { tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOrderCancelled, applyOrderPlaced } from '../src/service/checkout.service.js';
import {
  ADD_LINE,
  APPLY_CODE,
  CART,
  MY_CART,
  anonymousCart,
  expectNoInternals,
  mutate,
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

const CODE_FIELDS = `id code kind percentOff amounts { amountMinor currency } startsAt endsAt usageLimit perCustomerLimit active timesUsed version createdAt updatedAt`;
const CREATE = `mutation ($input: CreateDiscountCodeInput!) { createDiscountCode(input: $input) { ${CODE_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateDiscountCodeInput!) { updateDiscountCode(input: $input) { ${CODE_FIELDS} } }`;
const DEACTIVATE = `mutation ($input: DeactivateDiscountCodeInput!) { deactivateDiscountCode(input: $input) { ${CODE_FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: DiscountCodeFilter) { discountCodes(first: $first, after: $after, filter: $filter) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code active } } } }`;
const USES = `query ($id: ID!, $first: Int, $after: String) { discountCode(id: $id) { code timesUsed
  uses(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { orderId order { id } customer { id } email usedAt } } } } }`;
const AUDIT = `query ($filter: AuditLogFilter, $first: Int) { cartAuditLog(first: $first, filter: $filter) {
  totalCount edges { node { id domain action actorId actor { id } targetType targetId changes at } } } }`;

interface CodeView {
  id: string;
  code: string;
  kind: string;
  percentOff: number | null;
  amounts: { amountMinor: number; currency: string }[];
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  active: boolean;
  timesUsed: number;
  version: number;
}

const uniqueCode = (prefix: string) => `${prefix}${randomUUID().slice(0, 6)}`.toUpperCase();

async function create(input: Record<string, unknown>): Promise<CodeView> {
  const data = await server.ok<{ createDiscountCode: CodeView }>(CREATE, { token: auth.admin, variables: { input } });
  return data.createDiscountCode;
}

async function errorOf(query: string, variables: Record<string, unknown>, token?: string) {
  const result = await server.gql(query, { token, variables });
  expectNoInternals(result);
  expect(result.errors?.length).toBeGreaterThan(0);
  return result.errors?.[0]?.extensions as Record<string, unknown>;
}

/** The consumer's order.placed handler, in a transaction, as the Kafka consumer runs it. */
async function placeOrder(cart: { id: string; userId: string | null }, discountMinor: number, email?: string): Promise<string> {
  const orderId = randomUUID();
  const order = {
    orderId,
    cartId: cart.id,
    userId: cart.userId,
    discountMinor,
    ...(email ? { email } : {}),
    lines: [
      { lineId: randomUUID(), productId: shirt.productId, variantId: shirt.variants[0]!.variantId, sku: 'S', name: 'Shirt', quantity: 1, unitPriceMinor: 1000, lineTotalMinor: 1000 },
    ],
  };
  await server.db.$transaction((tx) => applyOrderPlaced({ store: server.store, logger: { warn: () => undefined } }, tx, order));
  return orderId;
}

async function userCartWithCode(token: string, code: string): Promise<CartView> {
  await mutate(server, ADD_LINE, { variantId: shirt.variants[0]!.variantId, quantity: 1 }, token);
  return (await mutate(server, APPLY_CODE, { code }, token)).cart;
}

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  shirt = await seedProduct(server.db, { name: 'Linen Shirt' });
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

describe('createDiscountCode', () => {
  it('normalises the code, stores the kind and limits, version 1, and refuses a duplicate with DISCOUNT_CODE_TAKEN', async () => {
    const raw = uniqueCode('summer');
    const created = await create({ code: `  ${raw.toLowerCase()} `, kind: 'PERCENT', percentOff: 15, usageLimit: 100, perCustomerLimit: 1 });
    expect(created).toMatchObject({ code: raw, kind: 'PERCENT', percentOff: 15, amounts: [], usageLimit: 100, perCustomerLimit: 1, active: true, timesUsed: 0, version: 1 });

    const duplicate = await errorOf(CREATE, { input: { code: raw.toLowerCase(), kind: 'PERCENT', percentOff: 5 } }, auth.admin);
    expect(duplicate).toMatchObject({ code: 'DISCOUNT_CODE_TAKEN', field: 'code' });

    const fixed = await create({ code: uniqueCode('take'), kind: 'FIXED', amounts: [{ currency: 'USD', amountMinor: 700 }, { currency: 'EUR', amountMinor: 600 }] });
    expect(fixed.amounts).toEqual(expect.arrayContaining([{ amountMinor: 700, currency: 'USD' }, { amountMinor: 600, currency: 'EUR' }]));
  });

  it('validates with BAD_USER_INPUT and the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ code: 'X', kind: 'PERCENT', percentOff: 10 }, 'code'],
      [{ code: uniqueCode('p'), kind: 'PERCENT', percentOff: 0 }, 'percentOff'],
      [{ code: uniqueCode('p'), kind: 'PERCENT', percentOff: 101 }, 'percentOff'],
      [{ code: uniqueCode('f'), kind: 'FIXED' }, 'amounts'],
      [{ code: uniqueCode('f'), kind: 'FIXED', amounts: [{ currency: 'USD', amountMinor: 0 }] }, 'amounts'],
      [{ code: uniqueCode('f'), kind: 'FIXED', amounts: [{ currency: 'USD', amountMinor: 5 }, { currency: 'USD', amountMinor: 6 }] }, 'amounts'],
      [{ code: uniqueCode('s'), kind: 'PERCENT', percentOff: 5, startsAt: '2030-01-02T00:00:00.000Z', endsAt: '2030-01-01T00:00:00.000Z' }, 'endsAt'],
      [{ code: uniqueCode('l'), kind: 'PERCENT', percentOff: 5, usageLimit: 0 }, 'usageLimit'],
      [{ code: uniqueCode('l'), kind: 'PERCENT', percentOff: 5, perCustomerLimit: 0 }, 'perCustomerLimit'],
    ];
    for (const [input, field] of cases) {
      expect(await errorOf(CREATE, { input }, auth.admin), JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await server.db.auditEntry.count({ where: { action: 'createDiscountCode', targetId: 'x' } })).toBe(0);
  });

  it('is for admins only: FORBIDDEN for a customer, UNAUTHENTICATED anonymously; the list too', async () => {
    const input = { code: uniqueCode('no'), kind: 'PERCENT', percentOff: 5 };
    expect((await errorOf(CREATE, { input }, auth.alice)).code).toBe('FORBIDDEN');
    expect((await errorOf(CREATE, { input })).code).toBe('UNAUTHENTICATED');
    expect((await errorOf(LIST, {}, auth.alice)).code).toBe('FORBIDDEN');
    expect((await errorOf(AUDIT, {}, auth.alice)).code).toBe('FORBIDDEN');
    expect((await errorOf(AUDIT, {})).code).toBe('UNAUTHENTICATED');
    expect(await server.db.discountCode.count({ where: { code: input.code } })).toBe(0);
  });
});

describe('updateDiscountCode and deactivateDiscountCode', () => {
  it('changes schedule and limits, bumps the version, and a stale expectedVersion is CONFLICT with nothing changed', async () => {
    const code = await create({ code: uniqueCode('upd'), kind: 'PERCENT', percentOff: 10 });
    const startsAt = '2030-01-01T00:00:00.000Z';
    const endsAt = '2030-02-01T00:00:00.000Z';
    const updated = (
      await server.ok<{ updateDiscountCode: CodeView }>(UPDATE, {
        token: auth.admin,
        variables: { input: { id: code.id, expectedVersion: 1, startsAt, endsAt, usageLimit: 5 } },
      })
    ).updateDiscountCode;
    expect(updated).toMatchObject({ startsAt, endsAt, usageLimit: 5, perCustomerLimit: null, version: 2 });

    const conflict = await errorOf(UPDATE, { input: { id: code.id, expectedVersion: 1, usageLimit: 9 } }, auth.admin);
    expect(conflict).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect((await server.db.discountCode.findUniqueOrThrow({ where: { id: code.id } })).usageLimit).toBe(5);

    const badSchedule = await errorOf(UPDATE, { input: { id: code.id, endsAt: '2029-12-31T00:00:00.000Z' } }, auth.admin);
    expect(badSchedule).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsAt' });

    // null clears; left out stays.
    const cleared = (await server.ok<{ updateDiscountCode: CodeView }>(UPDATE, { token: auth.admin, variables: { input: { id: code.id, usageLimit: null } } }))
      .updateDiscountCode;
    expect(cleared).toMatchObject({ usageLimit: null, startsAt, endsAt, version: 3 });

    const deactivated = (await server.ok<{ deactivateDiscountCode: CodeView }>(DEACTIVATE, { token: auth.admin, variables: { input: { id: code.id, expectedVersion: 3 } } }))
      .deactivateDiscountCode;
    expect(deactivated).toMatchObject({ active: false, version: 4 });
    expect((await errorOf(DEACTIVATE, { input: { id: randomUUID() } }, auth.admin)).code).toBe('NOT_FOUND');
  });

  it('lists codes newest first with search, active filter, pages and totalCount', async () => {
    const tag = uniqueCode('LST');
    const made: CodeView[] = [];
    for (let index = 0; index < 3; index++) made.push(await create({ code: `${tag}${index}`, kind: 'PERCENT', percentOff: 5 }));
    await server.ok(DEACTIVATE, { token: auth.admin, variables: { input: { id: made[0]!.id } } });

    type List = { discountCodes: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { code: string; active: boolean } }[] } };
    const page1 = (await server.ok<List>(LIST, { token: auth.admin, variables: { first: 2, filter: { search: tag.toLowerCase() } } })).discountCodes;
    expect(page1.totalCount).toBe(3);
    expect(page1.edges.map((edge) => edge.node.code)).toEqual([`${tag}2`, `${tag}1`]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await server.ok<List>(LIST, { token: auth.admin, variables: { first: 2, after: page1.pageInfo.endCursor, filter: { search: tag } } })).discountCodes;
    expect(page2.edges.map((edge) => edge.node.code)).toEqual([`${tag}0`]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const inactive = (await server.ok<List>(LIST, { token: auth.admin, variables: { filter: { search: tag, active: false } } })).discountCodes;
    expect(inactive.totalCount).toBe(1);
    expect(inactive.edges[0]?.node).toEqual({ code: `${tag}0`, active: false });
  });
});

describe('uses and limits', () => {
  it('counts a use once per order from order.placed, lists the uses, and refuses the code past its limits with a reason', async () => {
    const code = await create({ code: uniqueCode('lim'), kind: 'PERCENT', percentOff: 10, usageLimit: 2, perCustomerLimit: 1 });

    const aliceCart = await userCartWithCode(auth.alice, code.code);
    expect(aliceCart.totals.discount.amountMinor).toBe(100);
    const orderId = await placeOrder({ id: aliceCart.id, userId: auth.aliceId }, 100);
    // A second event about the same order counts nothing.
    await server.db.$transaction((tx) =>
      applyOrderPlaced({ store: server.store, logger: { warn: () => undefined } }, tx, {
        orderId,
        cartId: aliceCart.id,
        userId: auth.aliceId,
        discountMinor: 100,
        lines: [{ lineId: randomUUID(), productId: shirt.productId, variantId: shirt.variants[0]!.variantId, sku: 'S', name: 'Shirt', quantity: 1, unitPriceMinor: 1000, lineTotalMinor: 1000 }],
      }),
    );

    type Uses = { discountCode: { timesUsed: number; uses: { totalCount: number; edges: { node: { orderId: string; order: { id: string }; customer: { id: string } | null; usedAt: string } }[] } } };
    const afterOne = (await server.ok<Uses>(USES, { token: auth.admin, variables: { id: code.id } })).discountCode;
    expect(afterOne.timesUsed).toBe(1);
    expect(afterOne.uses.totalCount).toBe(1);
    expect(afterOne.uses.edges[0]?.node).toMatchObject({ orderId, order: { id: orderId }, customer: { id: auth.aliceId } });

    // Alice has used her one: PER_CUSTOMER_LIMIT_REACHED.
    await mutate(server, ADD_LINE, { variantId: shirt.variants[0]!.variantId, quantity: 1 }, auth.alice);
    expect(await errorOf(APPLY_CODE, { input: { code: code.code } }, auth.alice)).toMatchObject({ code: 'INVALID_DISCOUNT_CODE', reason: 'PER_CUSTOMER_LIMIT_REACHED' });

    // A guest uses the second one; then it is used up for everybody.
    const guest = await anonymousCart(server);
    await mutate(server, ADD_LINE, { cartId: guest.id, cartToken: guest.token, variantId: shirt.variants[0]!.variantId, quantity: 1 });
    await mutate(server, APPLY_CODE, { cartId: guest.id, cartToken: guest.token, code: code.code });
    const guestOrder = await placeOrder({ id: guest.id, userId: null }, 100, 'Guest@Example.com');
    const bobCart = await mutate(server, ADD_LINE, { variantId: shirt.variants[0]!.variantId, quantity: 1 }, auth.bob);
    expect(await errorOf(APPLY_CODE, { input: { code: code.code } }, auth.bob)).toMatchObject({ code: 'INVALID_DISCOUNT_CODE', reason: 'USAGE_LIMIT_REACHED' });
    expect(bobCart.cart.discountCode).toBeNull();

    const afterTwo = (await server.ok<Uses>(USES, { token: auth.admin, variables: { id: code.id, first: 1 } })).discountCode;
    expect(afterTwo.timesUsed).toBe(2);
    expect(afterTwo.uses.totalCount).toBe(2);
    expect(afterTwo.uses.edges.map((edge) => edge.node.orderId)).toEqual([guestOrder]);
    const guestUse = await server.db.discountCodeUse.findUniqueOrThrow({ where: { orderId: guestOrder } });
    expect(guestUse).toMatchObject({ userId: null, email: 'guest@example.com' });

    // An order without a discount from the code (discountMinor 0) is not a use.
    const carol = await userCartWithCode(auth.bob, 'WELCOME10');
    await placeOrder({ id: carol.id, userId: auth.bobId }, 0);
    expect((await server.db.discountCode.findUniqueOrThrow({ where: { code: 'WELCOME10' } })).timesUsed).toBe(0);
  });

  it('a failed payment gives the use back, and the code returns to the cart with its lines', async () => {
    const code = await create({ code: uniqueCode('back'), kind: 'PERCENT', percentOff: 10, perCustomerLimit: 1 });
    const dana = await tokenFor({ roles: ['CUSTOMER'] });
    const cart = await userCartWithCode(dana.token, code.code);
    const orderId = await placeOrder({ id: cart.id, userId: dana.userId }, 100);
    expect((await server.db.discountCode.findUniqueOrThrow({ where: { id: code.id } })).timesUsed).toBe(1);
    expect((await server.ok<{ myCart: CartView | null }>(MY_CART, { token: dana.token })).myCart?.discountCode).toBeNull();

    const cancelled = { orderId, from: 'STOCK_RESERVED' as const, to: 'PAYMENT_FAILED' as const };
    const deps = { store: server.store, logger: { warn: () => undefined } };
    await server.db.$transaction((tx) => applyOrderCancelled(deps, tx, cancelled));
    await server.db.$transaction((tx) => applyOrderCancelled(deps, tx, cancelled));
    expect((await server.db.discountCode.findUniqueOrThrow({ where: { id: code.id } })).timesUsed).toBe(0);
    expect(await server.db.discountCodeUse.count({ where: { orderId } })).toBe(0);
    const restored = (await server.ok<{ myCart: CartView | null }>(MY_CART, { token: dana.token })).myCart;
    expect(restored?.discountCode).toBe(code.code);
    expect(restored?.totals.discount.amountMinor).toBe(100);
  });

  it('a code in a cart stops taking anything off once it reaches its limit', async () => {
    const code = await create({ code: uniqueCode('one'), kind: 'FIXED', amounts: [{ currency: 'USD', amountMinor: 300 }], usageLimit: 1 });
    const guestA = await anonymousCart(server);
    const guestB = await anonymousCart(server);
    for (const guest of [guestA, guestB]) {
      await mutate(server, ADD_LINE, { cartId: guest.id, cartToken: guest.token, variantId: shirt.variants[0]!.variantId, quantity: 1 });
      const applied = await mutate(server, APPLY_CODE, { cartId: guest.id, cartToken: guest.token, code: code.code });
      expect(applied.cart.totals.discount.amountMinor).toBe(300);
    }
    await placeOrder({ id: guestA.id, userId: null }, 300);
    const other = await server.ok<{ cart: CartView }>(CART, { variables: { id: guestB.id, cartToken: guestB.token } });
    expect(other.cart.discountCode).toBe(code.code);
    expect(other.cart.totals.discount.amountMinor).toBe(0);
  });

  it('a list of codes with their latest uses costs the same statements for 1 code or 3', async () => {
    const tag = uniqueCode('BAT');
    for (let index = 0; index < 3; index++) {
      const code = await create({ code: `${tag}${index}`, kind: 'PERCENT', percentOff: 5 });
      for (let use = 0; use <= index; use++) {
        const guest = await anonymousCart(server);
        await mutate(server, ADD_LINE, { cartId: guest.id, cartToken: guest.token, variantId: shirt.variants[0]!.variantId, quantity: 1 });
        await mutate(server, APPLY_CODE, { cartId: guest.id, cartToken: guest.token, code: code.code });
        await placeOrder({ id: guest.id, userId: null }, 50);
      }
    }
    const query = `query ($filter: DiscountCodeFilter, $first: Int) { discountCodes(first: $first, filter: $filter) { totalCount
      edges { node { code timesUsed uses(first: 2) { totalCount edges { node { orderId usedAt } } } } } } }`;
    type Page = { discountCodes: { edges: { node: { code: string; timesUsed: number; uses: { totalCount: number; edges: unknown[] } } }[] } };
    const statementsFor = async (first: number) => {
      const start = server.queries.length;
      const data = await server.ok<Page>(query, { token: auth.admin, variables: { filter: { search: tag }, first } });
      return { data, statements: server.queries.length - start };
    };
    const one = await statementsFor(1);
    const three = await statementsFor(3);
    expect(three.data.discountCodes.edges.map(({ node }) => [node.code, node.timesUsed, node.uses.totalCount, node.uses.edges.length])).toEqual([
      [`${tag}2`, 3, 3, 2],
      [`${tag}1`, 2, 2, 2],
      [`${tag}0`, 1, 1, 1],
    ]);
    expect(three.statements).toBe(one.statements);
  });

  it('gives NOT_STARTED, EXPIRED and INACTIVE as the reason', async () => {
    const future = await create({ code: uniqueCode('fut'), kind: 'PERCENT', percentOff: 5, startsAt: new Date(Date.now() + 86_400_000).toISOString() });
    const past = await create({
      code: uniqueCode('old'),
      kind: 'PERCENT',
      percentOff: 5,
      startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    const off = await create({ code: uniqueCode('off'), kind: 'PERCENT', percentOff: 5, active: false });
    const guest = await anonymousCart(server);
    await mutate(server, ADD_LINE, { cartId: guest.id, cartToken: guest.token, variantId: shirt.variants[0]!.variantId, quantity: 1 });
    const reasonOf = async (code: string) => (await errorOf(APPLY_CODE, { input: { cartId: guest.id, cartToken: guest.token, code } })).reason;
    expect(await reasonOf(future.code)).toBe('NOT_STARTED');
    expect(await reasonOf(past.code)).toBe('EXPIRED');
    expect(await reasonOf(off.code)).toBe('INACTIVE');
    expect(await reasonOf('NO-SUCH-CODE')).toBe('UNKNOWN_CODE');
  });
});

describe('cartAuditLog', () => {
  it('has one entry per admin mutation with the actor, newest first, filterable by target', async () => {
    const code = await create({ code: uniqueCode('aud'), kind: 'PERCENT', percentOff: 20 });
    await server.ok(UPDATE, { token: auth.admin, variables: { input: { id: code.id, expectedVersion: 1, perCustomerLimit: 2 } } });
    await errorOf(UPDATE, { input: { id: code.id, expectedVersion: 1, perCustomerLimit: 3 } }, auth.admin);
    await server.ok(DEACTIVATE, { token: auth.admin, variables: { input: { id: code.id } } });

    type Audit = { cartAuditLog: { totalCount: number; edges: { node: { domain: string; action: string; actorId: string; actor: { id: string }; targetType: string; targetId: string; changes: string } }[] } };
    const log = (await server.ok<Audit>(AUDIT, { token: auth.admin, variables: { filter: { targetType: 'DiscountCode', targetId: code.id } } })).cartAuditLog;
    expect(log.totalCount).toBe(3);
    expect(log.edges.map((edge) => edge.node.action)).toEqual(['deactivateDiscountCode', 'updateDiscountCode', 'createDiscountCode']);
    const adminId = log.edges[0]!.node.actorId;
    for (const { node } of log.edges) expect(node).toMatchObject({ domain: 'cart', actorId: adminId, actor: { id: adminId }, targetType: 'DiscountCode', targetId: code.id });
    expect(JSON.parse(log.edges[1]!.node.changes)).toEqual({ perCustomerLimit: { before: null, after: 2 }, version: { before: 1, after: 2 } });
    expect(JSON.parse(log.edges[0]!.node.changes)).toMatchObject({ active: { before: true, after: false } });
    const byAction = (await server.ok<Audit>(AUDIT, { token: auth.admin, variables: { filter: { action: 'createDiscountCode', targetId: code.id } } })).cartAuditLog;
    expect(byAction.totalCount).toBe(1);
  });
});
