/**
 * The saga's stock step against real PostgreSQL: reservations through the
 * real event handlers, each in the consumer's transaction (processed_events
 * row + handler). The oversell test runs 200 of them at once over a pool.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BERLIN,
  NEWARK,
  createProduct,
  deliver,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  orderRefunded,
  outboxRows,
  reservationOf,
  setStock,
  startTestServer,
  stockRows,
  totals,
  truncateAll,
  type TestServer,
} from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  // A pool of 20: the oversell test really runs 20 transactions at a time.
  server = await startTestServer({ maxConnections: 20 });
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await truncateAll(server.db);
});

async function variantWithStock(units: Partial<Record<string, number>>): Promise<string> {
  const product = await createProduct(server, 1);
  const variantId = product.variantIds[0] as string;
  await setStock(server.db, variantId, units);
  return variantId;
}

/** Sleeps until every active reservation has passed its expiry (same machine, same clock as the database). */
async function waitUntilExpired(): Promise<void> {
  const latest = await server.db.reservation.aggregate({ where: { status: 'ACTIVE' }, _max: { expiresAt: true } });
  const wait = (latest._max.expiresAt?.getTime() ?? 0) - Date.now() + 20;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

describe('no overselling under concurrency', () => {
  it('200 concurrent single-unit orders against 50 units: exactly 50 are reserved', async () => {
    // Split over both warehouses, so allocation moves to the second one midway.
    const variantId = await variantWithStock({ [NEWARK]: 30, [BERLIN]: 20 });
    const orders = Array.from({ length: 200 }, () => orderPlaced([{ variantId, quantity: 1 }]));

    const started = performance.now();
    const results = await Promise.allSettled(orders.map((order) => deliver(server, order)));
    const elapsed = Math.round(performance.now() - started);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const statuses = await server.db.reservation.groupBy({ by: ['status'], _count: true });
    const count = (status: string) => statuses.find((s) => s.status === status)?._count ?? 0;
    console.info(`oversell: 200 orders in ${elapsed} ms → ${count('ACTIVE')} reserved, ${count('FAILED')} failed`);
    expect(count('ACTIVE')).toBe(50);
    expect(count('FAILED')).toBe(150);

    const stock = await totals(server.db, variantId);
    expect(stock).toEqual({ onHand: 50, reserved: 50, available: 0 });
    for (const row of await stockRows(server.db, variantId)) {
      expect(row.reserved).toBeLessThanOrEqual(row.onHand);
      expect(row.reserved).toBeGreaterThanOrEqual(0);
    }
    // Reservation lines account for every reserved unit.
    const held = await server.db.reservationLine.aggregate({ _sum: { quantity: true } });
    expect(held._sum.quantity).toBe(50);

    expect(await outboxRows(server.db, { type: 'stock.reserved' })).toHaveLength(50);
    const failed = await outboxRows(server.db, { type: 'stock.reservation_failed' });
    expect(failed).toHaveLength(150);
    expect(failed[0]?.envelope.payload).toMatchObject({ shortages: [{ variantId, requested: 1, available: 0 }] });

    // Level changes come out serialised: 49, 48, ..., 0 in outbox order, never negative.
    const levels = (await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId })).map(
      (row) => row.envelope.payload.available as number,
    );
    expect(levels).toEqual(Array.from({ length: 50 }, (_, i) => 49 - i));
    // stock.low once: when availability crossed the default threshold (5).
    const low = await outboxRows(server.db, { type: 'stock.low', aggregateId: variantId });
    expect(low.map((row) => row.envelope.payload)).toEqual([{ variantId, available: 5, threshold: 5 }]);
  });
});

describe('reserving an order', () => {
  it('holds all lines or none', async () => {
    const a = await variantWithStock({ [NEWARK]: 10 });
    const b = await variantWithStock({ [NEWARK]: 1 });

    const short = orderPlaced([
      { variantId: a, quantity: 3 },
      { variantId: b, quantity: 2 },
    ]);
    await deliver(server, short);
    expect(await totals(server.db, a)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(await totals(server.db, b)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect((await reservationOf(server.db, short.payload.orderId))?.status).toBe('FAILED');
    const [failed] = await outboxRows(server.db, { type: 'stock.reservation_failed', aggregateId: short.payload.orderId });
    expect(failed?.envelope.payload).toMatchObject({
      orderId: short.payload.orderId,
      shortages: [{ variantId: b, requested: 2, available: 1 }],
    });
    expect(await outboxRows(server.db, { type: 'stock.reserved' })).toEqual([]);

    const fits = orderPlaced([
      { variantId: a, quantity: 3 },
      { variantId: b, quantity: 1 },
    ]);
    await deliver(server, fits);
    expect(await totals(server.db, a)).toEqual({ onHand: 10, reserved: 3, available: 7 });
    expect(await totals(server.db, b)).toEqual({ onHand: 1, reserved: 1, available: 0 });
    const [reserved] = await outboxRows(server.db, { type: 'stock.reserved', aggregateId: fits.payload.orderId });
    const payload = reserved?.envelope.payload as { reservationId: string; expiresAt: string; lines: unknown[] };
    expect(payload.lines).toEqual(
      expect.arrayContaining([
        { variantId: a, warehouseId: NEWARK, quantity: 3 },
        { variantId: b, warehouseId: NEWARK, quantity: 1 },
      ]),
    );
    const reservation = await reservationOf(server.db, fits.payload.orderId);
    expect(reservation?.id).toBe(payload.reservationId);
    expect(reservation?.status).toBe('ACTIVE');
    // Default TTL: 900 s.
    const ttl = (new Date(payload.expiresAt).getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(890);
    expect(ttl).toBeLessThanOrEqual(900);
  });

  it('treats a variant inventory never heard of as out of stock', async () => {
    const unknown = randomUUID();
    const order = orderPlaced([{ variantId: unknown, quantity: 1 }]);
    await deliver(server, order);
    const [failed] = await outboxRows(server.db, { type: 'stock.reservation_failed' });
    expect(failed?.envelope.payload).toMatchObject({ shortages: [{ variantId: unknown, requested: 1, available: 0 }] });
  });

  it('prefers one warehouse that can ship the whole line, and splits only when none can', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 2, [BERLIN]: 5 });
    const whole = orderPlaced([{ variantId, quantity: 4 }]);
    await deliver(server, whole);
    expect((await reservationOf(server.db, whole.payload.orderId))?.lines.map((l) => [l.warehouseId, l.quantity])).toEqual([
      [BERLIN, 4],
    ]);

    const split = orderPlaced([{ variantId, quantity: 3 }]);
    await deliver(server, split);
    const lines = (await reservationOf(server.db, split.payload.orderId))?.lines ?? [];
    expect(lines.map((l) => [l.warehouseId, l.quantity]).sort()).toEqual([
      [BERLIN, 1],
      [NEWARK, 2],
    ].sort());
    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 7, available: 0 });
  });

  it('merges an order listing the same variant twice, and ignores a second order.placed for the order', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const orderId = randomUUID();
    await deliver(server, orderPlaced([{ variantId, quantity: 2 }, { variantId, quantity: 3 }], orderId));
    expect(await totals(server.db, variantId)).toMatchObject({ reserved: 5 });
    // Same order, new event id (e.g. re-published): not reserved twice.
    await deliver(server, orderPlaced([{ variantId, quantity: 2 }], orderId));
    expect(await totals(server.db, variantId)).toMatchObject({ reserved: 5 });
    expect(await outboxRows(server.db, { type: 'stock.reserved' })).toHaveLength(1);
  });

  it('skips a redelivered event (same event id)', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const order = orderPlaced([{ variantId, quantity: 4 }]);
    expect(await deliver(server, order)).toBe('handled');
    expect(await deliver(server, order)).toBe('duplicate');
    expect(await totals(server.db, variantId)).toMatchObject({ reserved: 4 });
  });
});

describe('confirmation commits the reservation', () => {
  it('takes the units off hand and publishes stock.committed, once', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const order = orderPlaced([{ variantId, quantity: 3 }]);
    await deliver(server, order);
    await deliver(server, orderConfirmed(order.payload.orderId));

    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    const reservation = await reservationOf(server.db, order.payload.orderId);
    expect(reservation?.status).toBe('COMMITTED');
    const [committed] = await outboxRows(server.db, { type: 'stock.committed' });
    expect(committed?.envelope.payload).toEqual({
      orderId: order.payload.orderId,
      reservationId: reservation?.id,
      lines: [{ variantId, warehouseId: NEWARK, quantity: 3 }],
    });
    const ledger = await server.db.stockMovement.findMany({ where: { variantId, kind: 'COMMITTED' } });
    expect(ledger.map((m) => [m.delta, m.onHandAfter, m.orderId])).toEqual([[-3, 7, order.payload.orderId]]);

    // A second confirmation (new event id) changes nothing.
    await deliver(server, orderConfirmed(order.payload.orderId));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    expect(await outboxRows(server.db, { type: 'stock.committed' })).toHaveLength(1);
  });

  it('does not commit a released reservation', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const order = orderPlaced([{ variantId, quantity: 3 }]);
    await deliver(server, order);
    await deliver(server, orderCancelled(order.payload.orderId));
    await deliver(server, orderConfirmed(order.payload.orderId));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect((await reservationOf(server.db, order.payload.orderId))?.status).toBe('RELEASED');
    expect(await outboxRows(server.db, { type: 'stock.committed' })).toEqual([]);
  });
});

describe('cancellation releases the reservation', () => {
  it('gives the units back once, however often the order is cancelled', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const order = orderPlaced([{ variantId, quantity: 4 }]);
    await deliver(server, order);
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 4, available: 6 });

    const cancel = orderCancelled(order.payload.orderId);
    expect(await deliver(server, cancel)).toBe('handled');
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    // The same event again (redelivery) and a second cancellation event: both no-ops.
    expect(await deliver(server, cancel)).toBe('duplicate');
    expect(await deliver(server, orderCancelled(order.payload.orderId))).toBe('handled');
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });

    const reservation = await reservationOf(server.db, order.payload.orderId);
    expect(reservation?.status).toBe('RELEASED');
    const released = await outboxRows(server.db, { type: 'stock.released' });
    expect(released.map((row) => row.envelope.payload)).toEqual([
      { orderId: order.payload.orderId, reservationId: reservation?.id, reason: 'order cancelled: customer changed their mind' },
    ]);
  });

  it('puts committed units back on hand when a confirmed order is cancelled', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 10 });
    const order = orderPlaced([{ variantId, quantity: 4 }]);
    await deliver(server, order);
    await deliver(server, orderConfirmed(order.payload.orderId));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 6, reserved: 0, available: 6 });

    await deliver(server, orderCancelled(order.payload.orderId, 'CONFIRMED'));
    await deliver(server, orderCancelled(order.payload.orderId, 'CONFIRMED'));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(await outboxRows(server.db, { type: 'stock.released' })).toHaveLength(1);
    // A refund with restock afterwards cannot bring the same units back twice.
    await deliver(server, orderRefunded(order.payload.orderId, [{ variantId, quantity: 4 }]));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
  });

  it('ignores a cancellation for an order whose reservation failed', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 1 });
    const order = orderPlaced([{ variantId, quantity: 5 }]);
    await deliver(server, order);
    await deliver(server, orderCancelled(order.payload.orderId));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect(await outboxRows(server.db, { type: 'stock.released' })).toEqual([]);
  });
});

describe('refund with restock', () => {
  it('returns the refunded units to the warehouse they left, never more than the order took', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 2, [BERLIN]: 5 });
    const order = orderPlaced([{ variantId, quantity: 6 }]);
    await deliver(server, order);
    await deliver(server, orderConfirmed(order.payload.orderId));
    expect(await stockRows(server.db, variantId)).toEqual([
      { warehouseId: NEWARK, onHand: 0, reserved: 0 },
      { warehouseId: BERLIN, onHand: 1, reserved: 0 },
    ]);

    // Without restock: the items did not come back.
    await deliver(server, orderRefunded(order.payload.orderId, [{ variantId, quantity: 2 }], false));
    expect(await totals(server.db, variantId)).toMatchObject({ onHand: 1 });

    await deliver(server, orderRefunded(order.payload.orderId, [{ variantId, quantity: 3 }]));
    expect(await totals(server.db, variantId)).toMatchObject({ onHand: 4, reserved: 0 });
    await deliver(server, orderRefunded(order.payload.orderId, [{ variantId, quantity: 5 }]));
    // 6 left, 3 + 3 came back; the 2 extra units of the second refund are ignored.
    expect(await totals(server.db, variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    const restocks = await server.db.stockMovement.findMany({ where: { variantId, kind: 'RESTOCKED' } });
    expect(restocks.reduce((sum, m) => sum + m.delta, 0)).toBe(6);
    const levels = await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId });
    expect(levels.at(-1)?.envelope.payload).toMatchObject({ available: 7, inStock: true });
  });

  it('restocks nothing for an order that never took units off hand', async () => {
    const variantId = await variantWithStock({ [NEWARK]: 5 });
    const order = orderPlaced([{ variantId, quantity: 2 }]);
    await deliver(server, order);
    await deliver(server, orderCancelled(order.payload.orderId));
    await deliver(server, orderRefunded(order.payload.orderId, [{ variantId, quantity: 2 }]));
    await deliver(server, orderRefunded(randomUUID(), [{ variantId, quantity: 2 }]));
    expect(await totals(server.db, variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
  });
});

describe('expiry', () => {
  it('releases an expired reservation, publishes stock.reservation_expired, and a late confirmation holds the units again', async () => {
    const ttlServer = await startTestServer({ reservationTtlSeconds: 2 });
    try {
      const variantId = await variantWithStock({ [NEWARK]: 5 });
      const order = orderPlaced([{ variantId, quantity: 2 }]);
      await deliver(ttlServer, order);
      expect(await totals(server.db, variantId)).toMatchObject({ reserved: 2 });

      // Not yet due.
      expect(await ttlServer.runtime.serviceContext.prisma.reservation.count({ where: { status: 'EXPIRED' } })).toBe(0);
      const { expireDueReservations } = await import('../src/service/reservation.service.js');
      expect(await expireDueReservations(ttlServer.ctx)).toEqual([]);

      await waitUntilExpired();
      const expired = await expireDueReservations(ttlServer.ctx);
      expect(expired.map((e) => e.orderId)).toEqual([order.payload.orderId]);
      expect(await totals(server.db, variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
      expect((await reservationOf(server.db, order.payload.orderId))?.status).toBe('EXPIRED');
      const [event] = await outboxRows(server.db, { type: 'stock.reservation_expired' });
      expect(event?.envelope.payload).toMatchObject({ orderId: order.payload.orderId, reservationId: expired[0]?.reservationId });
      // Releasing again is a no-op: the sweep finds nothing, a cancellation changes nothing.
      expect(await expireDueReservations(ttlServer.ctx)).toEqual([]);
      await deliver(ttlServer, orderCancelled(order.payload.orderId));
      expect(await totals(server.db, variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });

      // The confirmation raced the expiry and lost: the units are still there, so they are held again and committed.
      await deliver(ttlServer, orderConfirmed(order.payload.orderId));
      expect(await totals(server.db, variantId)).toEqual({ onHand: 3, reserved: 0, available: 3 });
      expect((await reservationOf(server.db, order.payload.orderId))?.status).toBe('COMMITTED');
      expect(await outboxRows(server.db, { type: 'stock.committed' })).toHaveLength(1);
    } finally {
      await ttlServer.stop();
    }
  });

  it('a late confirmation whose units are gone publishes stock.reservation_failed', async () => {
    const ttlServer = await startTestServer({ reservationTtlSeconds: 1 });
    try {
      const variantId = await variantWithStock({ [NEWARK]: 3 });
      const late = orderPlaced([{ variantId, quantity: 2 }]);
      await deliver(ttlServer, late);
      await waitUntilExpired();
      const { expireDueReservations } = await import('../src/service/reservation.service.js');
      await expireDueReservations(ttlServer.ctx);
      // Someone else buys the units in the meantime.
      await deliver(server, orderPlaced([{ variantId, quantity: 3 }]));

      await deliver(ttlServer, orderConfirmed(late.payload.orderId));
      expect(await totals(server.db, variantId)).toEqual({ onHand: 3, reserved: 3, available: 0 });
      expect((await reservationOf(server.db, late.payload.orderId))?.status).toBe('FAILED');
      const [failed] = await outboxRows(server.db, { type: 'stock.reservation_failed', aggregateId: late.payload.orderId });
      expect(failed?.envelope.payload).toMatchObject({ shortages: [{ variantId, requested: 2, available: 0 }] });
      expect(await outboxRows(server.db, { type: 'stock.committed' })).toEqual([]);
    } finally {
      await ttlServer.stop();
    }
  });

  it('expiry racing confirmation: every unit is committed exactly once, whichever wins', async () => {
    const ttlServer = await startTestServer({ reservationTtlSeconds: 1, maxConnections: 10 });
    try {
      const variantId = await variantWithStock({ [NEWARK]: 12, [BERLIN]: 8 });
      const orders = Array.from({ length: 20 }, () => orderPlaced([{ variantId, quantity: 1 }]));
      for (const order of orders) await deliver(ttlServer, order);
      await waitUntilExpired();
      const { expireDueReservations } = await import('../src/service/reservation.service.js');
      // Sweeps (small batches) interleaved with the confirmations, all at once.
      await Promise.all(
        orders.flatMap((order, i) => [
          ...(i % 3 === 0 ? [expireDueReservations(ttlServer.ctx, 2)] : []),
          deliver(ttlServer, orderConfirmed(order.payload.orderId)),
        ]),
      );
      while ((await expireDueReservations(ttlServer.ctx)).length > 0) {
        // nothing left should be due: every reservation was confirmed
      }

      const statuses = await server.db.reservation.groupBy({ by: ['status'], _count: true });
      expect(statuses).toEqual([{ status: 'COMMITTED', _count: 20 }]);
      expect(await totals(server.db, variantId)).toEqual({ onHand: 0, reserved: 0, available: 0 });
      expect(await outboxRows(server.db, { type: 'stock.committed' })).toHaveLength(20);
      // Those the sweeper reached first were held again at confirmation: one expiry event each.
      const expired = await outboxRows(server.db, { type: 'stock.reservation_expired' });
      const heldAgain = await server.db.reservation.count({ where: { reason: 'held again after expiry and committed' } });
      expect(expired).toHaveLength(heldAgain);
      console.info(`expiry vs confirmation: ${heldAgain} of 20 expired first and were held again`);
      const ledger = await server.db.stockMovement.aggregate({ where: { variantId, kind: 'COMMITTED' }, _sum: { delta: true } });
      expect(ledger._sum.delta).toBe(-20);
    } finally {
      await ttlServer.stop();
    }
  });

  it('the sweeper releases expired reservations on its own', async () => {
    const sweeping = await startTestServer({ reservationTtlSeconds: 1, sweeper: { intervalMs: 100 } });
    try {
      const variantId = await variantWithStock({ [NEWARK]: 5 });
      const orders = [orderPlaced([{ variantId, quantity: 1 }]), orderPlaced([{ variantId, quantity: 2 }])];
      for (const order of orders) await deliver(sweeping, order);
      expect(await totals(server.db, variantId)).toMatchObject({ reserved: 3 });
      const deadline = Date.now() + 15_000;
      while ((await totals(server.db, variantId)).reserved > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await totals(server.db, variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
      const expired = await outboxRows(server.db, { type: 'stock.reservation_expired' });
      expect(expired.map((row) => row.aggregate_id).sort()).toEqual(orders.map((o) => o.payload.orderId).sort());
    } finally {
      await sweeping.stop();
    }
  });

  it('two sweepers running at once release each reservation exactly once', async () => {
    const ttlServer = await startTestServer({ reservationTtlSeconds: 1 });
    try {
      const variantId = await variantWithStock({ [NEWARK]: 40 });
      for (let i = 0; i < 30; i++) await deliver(ttlServer, orderPlaced([{ variantId, quantity: 1 }]));
      await waitUntilExpired();
      const { expireDueReservations } = await import('../src/service/reservation.service.js');
      const batches = await Promise.all([
        expireDueReservations(ttlServer.ctx, 5),
        expireDueReservations(server.ctx, 5),
        expireDueReservations(ttlServer.ctx, 5),
        expireDueReservations(server.ctx, 5),
      ]);
      while ((await expireDueReservations(ttlServer.ctx, 5)).length > 0) {
        // drain
      }
      const all = batches.flat();
      expect(new Set(all.map((e) => e.reservationId)).size).toBe(all.length);
      expect(await outboxRows(server.db, { type: 'stock.reservation_expired' })).toHaveLength(30);
      expect(await totals(server.db, variantId)).toEqual({ onHand: 40, reserved: 0, available: 40 });
    } finally {
      await ttlServer.stop();
    }
  });
});
