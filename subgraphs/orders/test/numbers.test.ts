import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callers, outboxRows, placeOrder, startTestServer, truncateAll, type Callers, type TestServer } from './helpers.js';

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

const BY_NUMBER = `query ($number: String!) { orderByNumber(number: $number) { id number status } }`;

describe('order numbers', () => {
  it('gives every order a unique, increasing number from 100000, carried by its events', async () => {
    const placed = await Promise.all([
      placeOrder(server, who.alice),
      placeOrder(server, who.alice),
      placeOrder(server, who.bob),
      placeOrder(server, who.bob),
      placeOrder(server, who.alice),
    ]);
    const numbers = placed.map((order) => Number(order.number));
    expect(new Set(numbers).size).toBe(placed.length);
    for (const number of numbers) expect(number).toBeGreaterThanOrEqual(100000);
    // Placed one after the other: increasing.
    const next = await placeOrder(server, who.alice);
    expect(Number(next.number)).toBeGreaterThan(Math.max(...numbers));

    const rows = await outboxRows(server.db, next.id);
    const withNumber = rows.filter((row) => ['order.placed', 'order.status_changed'].includes(row.event_type));
    expect(withNumber).toHaveLength(2);
    for (const row of withNumber) expect(row.envelope.payload.orderNumber).toBe(next.number);
  });

  it('orderByNumber answers the owner and admins, null for anyone else and for malformed numbers', async () => {
    const order = await placeOrder(server, who.alice);
    const number = order.number;
    const mine = await server.ok<{ orderByNumber: { id: string; number: string } | null }>(BY_NUMBER, {
      token: who.alice.token,
      variables: { number: ` #${number} ` },
    });
    expect(mine.orderByNumber).toEqual({ id: order.id, number, status: 'PENDING' });
    const admin = await server.ok<{ orderByNumber: { id: string } | null }>(BY_NUMBER, { token: who.admin.token, variables: { number } });
    expect(admin.orderByNumber?.id).toBe(order.id);
    const other = await server.ok<{ orderByNumber: unknown }>(BY_NUMBER, { token: who.bob.token, variables: { number } });
    expect(other.orderByNumber).toBeNull();
    for (const bad of ['', 'abc', '99999999999999', '1e5', '-1']) {
      const none = await server.ok<{ orderByNumber: unknown }>(BY_NUMBER, { token: who.alice.token, variables: { number: bad } });
      expect(none.orderByNumber).toBeNull();
    }
  });
});
