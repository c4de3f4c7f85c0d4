/**
 * user.deleted: the account's orders are kept (accounting) but detached from
 * the person: user_id and email cleared, account_deleted_at set, lines,
 * amounts, address and timeline untouched. orderLookup, a guest's
 * orderStatusChanged and a later registration with the same email never
 * reach them. Running the handler twice changes nothing more.
 */
import { randomUUID } from 'node:crypto';
import { UserDeleted, UserRegistered } from '@commerce/events';
import { recordSubscription } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onUserDeleted, onUserRegistered } from '../src/service/account.service.js';
import {
  callers,
  envelope,
  ORDER,
  PLACE_ORDER,
  placeInput,
  placeOrder,
  silentLogger,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let who: Callers;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const LOOKUP = `query ($input: OrderLookupInput!) { orderLookup(input: $input) { id number } }`;
const USER_ORDERS = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { totalCount edges { node { id } } } } } }`;

async function placeGuestOrder(email: string): Promise<OrderView> {
  const { cart, cartToken } = server.carts.addGuestCart();
  const data = await server.ok<{ placeOrder: OrderView }>(PLACE_ORDER, { variables: { input: placeInput(cart.id, { cartToken, email }) } });
  return data.placeOrder;
}

const registered = (userId: string, email: string) =>
  envelope(UserRegistered, { userId, email, name: 'Someone', role: 'CUSTOMER', registeredAt: new Date().toISOString() });
const deleted = (userId: string, deletedAt: Date) => envelope(UserDeleted, { userId, deletedAt: deletedAt.toISOString() });

async function lookup(number: string, email: string): Promise<unknown> {
  return (await server.ok<{ orderLookup: unknown }>(LOOKUP, { variables: { input: { number, email } } })).orderLookup;
}

describe('user.deleted', () => {
  it('keeps the account’s orders, detached: no user, no email, account_deleted_at set, the rest untouched; idempotent', async () => {
    const own = await placeOrder(server, who.alice);
    const second = await placeOrder(server, who.alice);
    const others = await placeOrder(server, who.bob);
    // Admin view before: everything but the person must survive.
    const before = (await server.ok<{ order: OrderView }>(ORDER, { token: who.admin.token, variables: { id: own.id } })).order;
    expect(before.user).toEqual({ id: who.alice.userId });

    const deletedAt = new Date(Date.now() - 1000);
    const event = deleted(who.alice.userId, deletedAt);
    await server.db.$transaction((tx) => onUserDeleted(tx, event, silentLogger));

    for (const id of [own.id, second.id]) {
      const row = await server.db.order.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ userId: null, email: null, accountDeletedAt: deletedAt });
    }
    const after = (await server.ok<{ order: OrderView }>(ORDER, { token: who.admin.token, variables: { id: own.id } })).order;
    expect(after).toEqual({ ...before, user: null, email: null, updatedAt: after.updatedAt });
    expect((await server.db.order.findUniqueOrThrow({ where: { id: others.id } })).userId).toBe(who.bob.userId);

    // The account's list is empty (its still-valid token sees nothing), and its order(id) is gone for it.
    const list = await server.ok<{ _entities: { orders: { totalCount: number; edges: unknown[] } }[] }>(USER_ORDERS, {
      token: who.alice.token,
      variables: { r: [{ __typename: 'User', id: who.alice.userId }] },
    });
    expect(list._entities[0]?.orders).toEqual({ totalCount: 0, edges: [] });
    const mine = await server.ok<{ order: unknown }>(ORDER, { token: who.alice.token, variables: { id: own.id } });
    expect(mine.order).toBeNull();

    // Redelivered (or another event for the same user): nothing more changes.
    const stamped = await server.db.order.findUniqueOrThrow({ where: { id: own.id } });
    await server.db.$transaction((tx) => onUserDeleted(tx, event, silentLogger));
    await server.db.$transaction((tx) => onUserDeleted(tx, deleted(who.alice.userId, new Date()), silentLogger));
    expect(await server.db.order.findUniqueOrThrow({ where: { id: own.id } })).toEqual(stamped);
  });

  it('a former guest order of the deleted account is not opened by orderLookup, a guest subscription, or a new account with the same email', async () => {
    const email = `gone-${randomUUID().slice(0, 8)}@example.com`;
    const order = await placeGuestOrder(email);
    expect(await lookup(order.number, email)).toMatchObject({ id: order.id });

    // The guest registers (the order is attached), then deletes the account.
    const firstAccount = randomUUID();
    await server.db.$transaction((tx) => onUserRegistered(tx, registered(firstAccount, email), silentLogger));
    expect((await server.db.order.findUniqueOrThrow({ where: { id: order.id } })).userId).toBe(firstAccount);
    await server.db.$transaction((tx) => onUserDeleted(tx, deleted(firstAccount, new Date()), silentLogger));

    const row = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row).toMatchObject({ userId: null, email: null });
    expect(row.accountDeletedAt).toBeInstanceOf(Date);
    // userId null again, but no guest order: the lookup stays closed.
    expect(await lookup(order.number, email)).toBeNull();

    // Following it as a guest with the former email is refused like any mismatch.
    const stream = recordSubscription<{ orderStatusChanged: { id: string } | null }>(server.url, {
      query: `subscription ($id: ID!, $email: String) { orderStatusChanged(orderId: $id, email: $email) { id status } }`,
      variables: { id: order.id, email },
    });
    try {
      await stream.completed;
      expect(stream.data().flatMap((data) => (data.orderStatusChanged ? [data.orderStatusChanged] : []))).toEqual([]);
      expect(stream.errors.length + stream.results.flatMap((result) => result.errors ?? []).length).toBeGreaterThan(0);
    } finally {
      await stream.close();
    }

    // Someone registering that address later is a new person: nothing is attached.
    const newAccount = randomUUID();
    await server.db.$transaction((tx) => onUserRegistered(tx, registered(newAccount, email), silentLogger));
    expect(await server.db.order.count({ where: { userId: newAccount } })).toBe(0);
    expect((await server.db.order.findUniqueOrThrow({ where: { id: order.id } })).userId).toBeNull();
  });

  it('a guest order with the same email that was never the account’s stays a guest order', async () => {
    const email = `kept-${randomUUID().slice(0, 8)}@example.com`;
    const guest = await placeGuestOrder(email);
    await server.db.$transaction((tx) => onUserDeleted(tx, deleted(randomUUID(), new Date()), silentLogger));
    expect(await lookup(guest.number, email)).toMatchObject({ id: guest.id });
  });
});
