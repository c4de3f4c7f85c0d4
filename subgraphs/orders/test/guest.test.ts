import { randomUUID } from 'node:crypto';
import { UserRegistered } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onUserRegistered } from '../src/service/account.service.js';
import {
  callers,
  envelope,
  outboxRows,
  PLACE_ORDER,
  placeInput,
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

const LOOKUP = `query ($input: OrderLookupInput!) { orderLookup(input: $input) {
  id number status email user { id } total { amountMinor } lines { sku quantity } timeline { from to actor }
  trackingNumber shippingAddress { fullName city } } }`;

async function placeGuestOrder(email: string): Promise<{ order: OrderView; cartId: string; cartToken: string; key: string }> {
  const { cart, cartToken } = server.carts.addGuestCart();
  const key = randomUUID();
  const data = await server.ok<{ placeOrder: OrderView }>(PLACE_ORDER, {
    variables: { input: placeInput(cart.id, { cartToken, email, idempotencyKey: key }) },
  });
  return { order: data.placeOrder, cartId: cart.id, cartToken, key };
}

describe('guest checkout', () => {
  it('places an order from an anonymous cart with an email, readable by the guest in the response', async () => {
    const { order, cartId, cartToken, key } = await placeGuestOrder('  Guest.One@Example.com ');
    expect(order.status).toBe('PENDING');
    expect(order.user).toBeNull();
    expect(order.email).toBe('guest.one@example.com');
    expect(order.lines).toHaveLength(2);
    expect(order.timeline).toEqual([expect.objectContaining({ from: null, to: 'PENDING', actor: 'guest' })]);
    expect(server.carts.calls.at(-1)).toMatchObject({ cartId, cartToken });

    const placed = (await outboxRows(server.db, order.id)).find((row) => row.event_type === 'order.placed');
    expect(placed?.envelope.payload).toMatchObject({ userId: null, email: 'guest.one@example.com', orderNumber: order.number });

    // The same key again: the same order, still readable by the guest.
    const again = await server.ok<{ placeOrder: OrderView }>(PLACE_ORDER, {
      variables: { input: placeInput(cartId, { cartToken, email: 'guest.one@example.com', idempotencyKey: key }) },
    });
    expect(again.placeOrder.id).toBe(order.id);
    expect(again.placeOrder.status).toBe('PENDING');
    // …but not for another email.
    const other = await server.gql(PLACE_ORDER, {
      variables: { input: placeInput(cartId, { cartToken, email: 'someone@example.com', idempotencyKey: key }) },
    });
    expect(errorCode(other)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('requires an email (BAD_USER_INPUT) and the cart token (UNAUTHENTICATED) when anonymous', async () => {
    const { cart, cartToken } = server.carts.addGuestCart();
    for (const email of [undefined, '', 'not-an-email']) {
      const response = await server.gql(PLACE_ORDER, { variables: { input: placeInput(cart.id, { cartToken, email }) } });
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe('email');
    }
    const noToken = await server.gql(PLACE_ORDER, { variables: { input: placeInput(cart.id, { email: 'a@example.com' }) } });
    expect(errorCode(noToken)).toBe('UNAUTHENTICATED');
    const wrongToken = await server.gql(PLACE_ORDER, {
      variables: { input: placeInput(cart.id, { cartToken: 'wrong', email: 'a@example.com' }) },
    });
    expect(errorCode(wrongToken)).toBe('NOT_FOUND');
  });

  it('orderLookup finds a guest order by number and email only; the order is unreadable any other way', async () => {
    const { order } = await placeGuestOrder('lookup@example.com');
    const found = await server.ok<{ orderLookup: Record<string, unknown> | null }>(LOOKUP, {
      variables: { input: { number: `#${order.number}`, email: 'LOOKUP@example.com' } },
    });
    expect(found.orderLookup).toMatchObject({ id: order.id, number: order.number, status: 'PENDING', user: null, trackingNumber: null });
    expect(found.orderLookup?.shippingAddress).toEqual({ fullName: 'Alice Example', city: 'Springfield' });

    for (const input of [
      { number: order.number, email: 'other@example.com' },
      { number: String(Number(order.number) + 1000), email: 'lookup@example.com' },
      { number: 'abc', email: 'lookup@example.com' },
      { number: order.number, email: 'nonsense' },
    ]) {
      const miss = await server.ok<{ orderLookup: unknown }>(LOOKUP, { variables: { input } });
      expect(miss.orderLookup).toBeNull();
    }
    // A signed-in stranger sees nothing through order(id).
    const stranger = await server.ok<{ order: unknown }>(`query ($id: ID!) { order(id: $id) { id } }`, {
      token: who.bob.token,
      variables: { id: order.id },
    });
    expect(stranger.order).toBeNull();
    // Entity references stay closed to anonymous callers.
    const entities = await server.ok<{ _entities: unknown[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status } } }`,
      { variables: { r: [{ __typename: 'Order', id: order.id }] } },
    );
    expect(entities._entities).toEqual([null]);
  });

  it('attaches guest orders to the account that registers with their email, once; they then show in User.orders', async () => {
    const email = `attach-${randomUUID().slice(0, 8)}@example.com`;
    const first = await placeGuestOrder(email);
    const second = await placeGuestOrder(email.toUpperCase());
    const unrelated = await placeGuestOrder('unrelated@example.com');
    const userId = who.alice.userId;
    const event = envelope(UserRegistered, { userId, email, name: 'Alice', role: 'CUSTOMER', registeredAt: new Date().toISOString() });
    await server.db.$transaction((tx) => onUserRegistered(tx, event, silentLogger));
    await server.db.$transaction((tx) => onUserRegistered(tx, event, silentLogger));

    const owned = await server.db.order.findMany({ where: { userId }, select: { id: true } });
    expect(owned.map((row) => row.id).sort()).toEqual([first.order.id, second.order.id].sort());
    expect((await server.db.order.findUniqueOrThrow({ where: { id: unrelated.order.id } })).userId).toBeNull();

    const data = await server.ok<{ _entities: { orders: { totalCount: number; edges: { node: { id: string; email: string } }[] } }[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { totalCount edges { node { id email } } } } } }`,
      { token: who.alice.token, variables: { r: [{ __typename: 'User', id: userId }] } },
    );
    expect(data._entities[0]?.orders.totalCount).toBe(2);
    expect(data._entities[0]?.orders.edges.map((edge) => edge.node.id).sort()).toEqual([first.order.id, second.order.id].sort());

    // Attached: no longer a guest order, so orderLookup no longer answers (the account does).
    const lookup = await server.ok<{ orderLookup: unknown }>(LOOKUP, { variables: { input: { number: first.order.number, email } } });
    expect(lookup.orderLookup).toBeNull();
  });
});
