import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callers, placeOrder, startTestServer, truncateAll, type Callers, type TestServer } from './helpers.js';

let server: TestServer;
let who: Callers;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  who = await callers();
  for (let i = 0; i < 3; i++) await placeOrder(server, who.alice);
  for (let i = 0; i < 2; i++) await placeOrder(server, who.bob);
  await server.db.order.updateMany({ where: { userId: who.bob.userId }, data: { status: 'CANCELLED' } });
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const countStatements = (queries: readonly string[]): number => queries.filter((sql) => /count\(/i.test(sql)).length;

describe('OrderConnection.totalCount', () => {
  it('counts every order of the admin listing, with the filter, in one statement', async () => {
    server.queries.length = 0;
    const data = await server.ok<{ orders: { totalCount: number; edges: unknown[] } }>(
      `{ orders(first: 2) { totalCount edges { node { id } } } }`,
      { token: who.admin.token },
    );
    expect(data.orders.edges).toHaveLength(2);
    expect(data.orders.totalCount).toBe(5);
    expect(countStatements(server.queries)).toBe(1);
    const cancelled = await server.ok<{ orders: { totalCount: number } }>(`{ orders(filter: { status: CANCELLED }) { totalCount } }`, {
      token: who.admin.token,
    });
    expect(cancelled.orders.totalCount).toBe(2);
  });

  it('counts User.orders for many users with one grouped COUNT, and only when asked', async () => {
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on User { id orders(first: 1) { totalCount edges { node { id } } } } } }`;
    server.queries.length = 0;
    const data = await server.ok<{ _entities: { id: string; orders: { totalCount: number; edges: unknown[] } }[] }>(query, {
      token: who.admin.token,
      variables: {
        representations: [
          { __typename: 'User', id: who.alice.userId },
          { __typename: 'User', id: who.bob.userId },
          { __typename: 'User', id: who.admin.userId },
        ],
      },
    });
    expect(data._entities.map((user) => user.orders.totalCount)).toEqual([3, 2, 0]);
    expect(data._entities[0]?.orders.edges).toHaveLength(1);
    expect(countStatements(server.queries)).toBe(1);

    server.queries.length = 0;
    await server.ok(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { orders { edges { node { id } } } } } }`, {
      token: who.alice.token,
      variables: { representations: [{ __typename: 'User', id: who.alice.userId }] },
    });
    expect(countStatements(server.queries)).toBe(0);
  });
});
