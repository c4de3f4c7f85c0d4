/**
 * The checkout's hot paths cost a fixed number of SQL statements, whatever
 * the number of lines: each statement costs CPU in Prisma, in Node's socket
 * code and in PostgreSQL, so a regression here is a throughput regression.
 * The services run inside a transaction of the test's own, so only their
 * statements are counted (no consumer plumbing); outbox appends are counted
 * apart, since packages/events decides what one costs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commitForOrder, releaseForOrder, reserveForOrder } from '../src/service/reservation.service.js';
import { BERLIN, NEWARK, createProduct, orderPlaced, outboxRows, setStock, startTestServer, totals, truncateAll, type TestServer } from './helpers.js';
import { isOutboxAppend as isOutbox, isTransactionControl } from '@commerce/testing';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await truncateAll(server.db);
});


interface Counted<T> {
  result: T;
  /** The service's own statements (no BEGIN/COMMIT, no outbox appends). */
  own: string[];
  outbox: number;
}

/** Runs `work` in a transaction of its own and sorts the statements it sent. */
async function counted<T>(work: (tx: Parameters<Parameters<TestServer['db']['$transaction']>[0]>[0]) => Promise<T>): Promise<Counted<T>> {
  server.queries.length = 0;
  const result = await server.db.$transaction(work);
  const statements = server.queries.filter((sql) => !isTransactionControl(sql));
  return { result, own: statements.filter((sql) => !isOutbox(sql)), outbox: statements.filter(isOutbox).length };
}

async function variantsWithStock(count: number, units: Partial<Record<string, number>>): Promise<string[]> {
  const product = await createProduct(server, count);
  for (const variantId of product.variantIds) await setStock(server.db, variantId, units);
  return product.variantIds;
}

describe('statements per checkout', () => {
  it.each([1, 3])('reserving an order of %i line(s) costs 4 statements of its own', async (lineCount) => {
    const variantIds = await variantsWithStock(lineCount, { [NEWARK]: 10 });
    const placed = orderPlaced(variantIds.map((variantId) => ({ variantId, quantity: 2 })));

    const reserve = await counted((tx) => reserveForOrder(server.ctx, tx, placed.payload));
    expect(reserve.result.status).toBe('reserved');
    // Existence + snapshot, lock, reservation with its lines, stock with availability.
    expect(reserve.own.length, reserve.own.join('\n---\n')).toBeLessThanOrEqual(4);
    for (const variantId of variantIds) expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 2, available: 8 });
    // One stock.level_changed per variant, then stock.reserved.
    expect(await outboxRows(server.db, { type: 'stock.level_changed' })).toHaveLength(lineCount);
    expect(await outboxRows(server.db, { type: 'stock.reserved' })).toHaveLength(1);

    const commit = await counted((tx) => commitForOrder(server.ctx, tx, placed.payload.orderId));
    expect(commit.result.status).toBe('committed');
    // Reservation with its lines (locked), stock with ledger, status.
    expect(commit.own.length, commit.own.join('\n---\n')).toBeLessThanOrEqual(3);
    for (const variantId of variantIds) expect(await totals(server.db, variantId)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    const ledger = await server.db.stockMovement.findMany({ where: { kind: 'COMMITTED' } });
    expect(ledger).toHaveLength(lineCount);
    // Availability did not change: no level event, only stock.committed.
    expect(await outboxRows(server.db, { type: 'stock.level_changed' })).toHaveLength(lineCount);
    expect(commit.outbox).toBeGreaterThan(0);
  });

  it('a shortage costs 2 statements of its own, without waiting for row locks', async () => {
    const [variantId] = await variantsWithStock(1, { [NEWARK]: 1 });
    const placed = orderPlaced([{ variantId: variantId as string, quantity: 2 }]);
    const reserve = await counted((tx) => reserveForOrder(server.ctx, tx, placed.payload));
    expect(reserve.result.status).toBe('failed');
    expect(reserve.own.length, reserve.own.join('\n---\n')).toBeLessThanOrEqual(2);
    expect(reserve.own.join('\n')).not.toMatch(/FOR (NO KEY )?UPDATE/i);
  });

  it('an order split over two warehouses costs no more', async () => {
    const [variantId] = await variantsWithStock(1, { [NEWARK]: 2, [BERLIN]: 2 });
    const placed = orderPlaced([{ variantId: variantId as string, quantity: 3 }]);
    const reserve = await counted((tx) => reserveForOrder(server.ctx, tx, placed.payload));
    expect(reserve.result.status).toBe('reserved');
    expect(reserve.own.length).toBeLessThanOrEqual(4);
    const commit = await counted((tx) => commitForOrder(server.ctx, tx, placed.payload.orderId));
    expect(commit.own.length).toBeLessThanOrEqual(3);
    expect(await totals(server.db, variantId as string)).toEqual({ onHand: 1, reserved: 0, available: 1 });
  });

  it('releasing an active reservation of 3 lines costs 3 statements of its own', async () => {
    const variantIds = await variantsWithStock(3, { [NEWARK]: 10 });
    const placed = orderPlaced(variantIds.map((variantId) => ({ variantId, quantity: 1 })));
    await counted((tx) => reserveForOrder(server.ctx, tx, placed.payload));
    const release = await counted((tx) => releaseForOrder(server.ctx, tx, placed.payload.orderId, 'payment failed: declined'));
    expect(release.result.status).toBe('released');
    expect(release.own.length, release.own.join('\n---\n')).toBeLessThanOrEqual(3);
    for (const variantId of variantIds) expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
  });
});
