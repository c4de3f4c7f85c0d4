import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callers,
  ORDER,
  ORDER_FIELDS,
  placeOrder,
  startTestServer,
  truncateAll,
  type Callers,
  type OrderView,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let who: Callers;
let aliceOrders: OrderView[];
let bobOrder: OrderView;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
  aliceOrders = [];
  for (let i = 0; i < 5; i++) aliceOrders.push(await placeOrder(server, who.alice));
  bobOrder = await placeOrder(server, who.bob, [{}, {}, {}]);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order { id status total { amountMinor } }
    ... on User { id orders(first: 2) { edges { node { id } } pageInfo { hasNextPage } } }
  }
}`;

const USER_ORDERS = `query ($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on User { id orders(first: $first, after: $after) { edges { cursor node { id status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
  }
}`;

const ADMIN_ORDERS = `query ($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    edges { cursor node { ${ORDER_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Connection<T> = { edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage?: boolean; endCursor: string | null } };

describe('order(id)', () => {
  it('shows an order to its owner and to admins', async () => {
    const [order] = aliceOrders;
    const own = await server.ok<{ order: OrderView }>(ORDER, { token: who.alice.token, variables: { id: order!.id } });
    expect(own.order).toEqual(order);
    const admin = await server.ok<{ order: OrderView }>(ORDER, { token: who.admin.token, variables: { id: order!.id } });
    expect(admin.order.id).toBe(order!.id);
  });

  it("answers null for someone else's order, exactly as for an unknown id", async () => {
    const foreign = await server.gql<{ order: OrderView | null }>(ORDER, { token: who.bob.token, variables: { id: aliceOrders[0]!.id } });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data?.order).toBeNull();
    const unknown = await server.gql<{ order: OrderView | null }>(ORDER, { token: who.bob.token, variables: { id: '0193a7d0-0000-7000-8000-000000000000' } });
    expect(unknown).toEqual({ ...foreign, data: { order: null } });
    const malformed = await server.gql<{ order: OrderView | null }>(ORDER, { token: who.bob.token, variables: { id: 'x' } });
    expect(malformed.data?.order).toBeNull();
  });

  it('needs a signed-in caller', async () => {
    expect(errorCode(await server.gql(ORDER, { variables: { id: aliceOrders[0]!.id } }))).toBe('UNAUTHENTICATED');
  });
});

describe('_entities (the router’s path, which shield does not guard)', () => {
  it("resolves an Order reference for its owner and admins, and null for anyone else", async () => {
    const representations = [{ __typename: 'Order', id: aliceOrders[0]!.id }];
    const own = await server.ok<{ _entities: ({ id: string } | null)[] }>(ENTITIES, { token: who.alice.token, variables: { representations } });
    expect(own._entities[0]).toMatchObject({ id: aliceOrders[0]!.id, status: 'PENDING' });
    const admin = await server.ok<{ _entities: ({ id: string } | null)[] }>(ENTITIES, { token: who.admin.token, variables: { representations } });
    expect(admin._entities[0]?.id).toBe(aliceOrders[0]!.id);
    const foreign = await server.gql<{ _entities: unknown[] }>(ENTITIES, { token: who.bob.token, variables: { representations } });
    expect(foreign.data?._entities).toEqual([null]);
    const anonymous = await server.gql<{ _entities: unknown[] }>(ENTITIES, { variables: { representations } });
    expect(anonymous.data?._entities).toEqual([null]);
  });

  it("guards User.orders: the user or an admin; anyone else FORBIDDEN, anonymous UNAUTHENTICATED", async () => {
    const representations = [{ __typename: 'User', id: who.alice.userId }];
    const own = await server.ok<{ _entities: { orders: Connection<{ id: string }> }[] }>(ENTITIES, {
      token: who.alice.token,
      variables: { representations },
    });
    expect(own._entities[0]!.orders.edges).toHaveLength(2);
    const admin = await server.ok<{ _entities: { orders: Connection<{ id: string }> }[] }>(ENTITIES, {
      token: who.admin.token,
      variables: { representations },
    });
    expect(admin._entities[0]!.orders.edges).toHaveLength(2);
    expect(errorCode(await server.gql(ENTITIES, { token: who.bob.token, variables: { representations } }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ENTITIES, { variables: { representations } }))).toBe('UNAUTHENTICATED');
  });
});

describe('User.orders', () => {
  it('pages newest first with opaque cursors', async () => {
    const representations = [{ __typename: 'User', id: who.alice.userId }];
    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    for (;;) {
      const data: { _entities: { orders: Connection<{ id: string }> }[] } = await server.ok(USER_ORDERS, {
        token: who.alice.token,
        variables: { representations, first: 2, after },
      });
      const connection: Connection<{ id: string }> = data._entities[0]!.orders;
      expect(connection.pageInfo.hasPreviousPage).toBe(false);
      pages.push(connection.edges.length);
      seen.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(aliceOrders.map((order) => order.id).reverse());

    const bad = await server.gql(USER_ORDERS, { token: who.alice.token, variables: { representations, first: 2, after: 'garbage!' } });
    expect(errorCode(bad)).toBe('INVALID_CURSOR');
    const negative = await server.gql(USER_ORDERS, { token: who.alice.token, variables: { representations, first: -1 } });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
  });

  it('loads the pages of several users in one statement', async () => {
    const representations = [who.alice.userId, who.bob.userId, who.admin.userId].map((id) => ({ __typename: 'User', id }));
    server.queries.length = 0;
    const data = await server.ok<{ _entities: { id: string; orders: Connection<{ id: string }> }[] }>(USER_ORDERS, {
      token: who.admin.token,
      variables: { representations, first: 3 },
    });
    expect(data._entities.map((user) => user.orders.edges.length)).toEqual([3, 1, 0]);
    expect(data._entities[1]!.orders.edges[0]!.node.id).toBe(bobOrder.id);
    expect(server.queries.filter((sql) => sql.includes('LATERAL'))).toHaveLength(1);
  });
});

describe('orders (admin)', () => {
  it('lists every order newest first, filters by status, and is FORBIDDEN for customers', async () => {
    const all = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, { token: who.admin.token, variables: { first: 10 } });
    expect(all.orders.edges.map((edge) => edge.node.id)).toEqual([bobOrder, ...[...aliceOrders].reverse()].map((order) => order.id));
    expect(all.orders.pageInfo.hasNextPage).toBe(false);

    const page = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, { token: who.admin.token, variables: { first: 4 } });
    const next = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, {
      token: who.admin.token,
      variables: { first: 4, after: page.orders.pageInfo.endCursor },
    });
    expect([...page.orders.edges, ...next.orders.edges].map((edge) => edge.node.id)).toEqual(all.orders.edges.map((edge) => edge.node.id));

    const none = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, { token: who.admin.token, variables: { filter: { status: 'SHIPPED' } } });
    expect(none.orders.edges).toEqual([]);
    const pending = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, { token: who.admin.token, variables: { filter: { status: 'PENDING' } } });
    expect(pending.orders.edges).toHaveLength(6);

    expect(errorCode(await server.gql(ADMIN_ORDERS, { token: who.alice.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ADMIN_ORDERS, {}))).toBe('UNAUTHENTICATED');
  });

  it('loads lines, timelines and refunds of a whole page with one statement each', async () => {
    server.queries.length = 0;
    const data = await server.ok<{ orders: Connection<OrderView> }>(ADMIN_ORDERS, { token: who.admin.token, variables: { first: 10 } });
    expect(data.orders.edges).toHaveLength(6);
    expect(data.orders.edges.every((edge) => edge.node.lines.length >= 2 && edge.node.timeline.length === 1)).toBe(true);
    const touching = (table: string) => server.queries.filter((sql) => sql.includes(`"${table}"`)).length;
    expect(touching('order_lines')).toBe(1);
    expect(touching('order_transitions')).toBe(1);
    expect(touching('refund_requests')).toBe(1);
    expect(server.queries.length).toBeLessThanOrEqual(4);
  });
});
