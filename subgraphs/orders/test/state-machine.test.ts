import { AppError } from '@commerce/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@commerce/config';
import type { OrderStatus } from '../src/generated/prisma/client.js';
import { createOrdersPrisma, type OrdersPrisma } from '../src/data/prisma.js';
import {
  FINAL_STATUSES,
  ORDER_STATUSES,
  TRANSITIONS,
  canTransition,
  lockOrder,
  transitionOrder,
} from '../src/service/order-state-machine.js';
import { insertOrder, outboxRows, truncateAll } from './helpers.js';

let db: OrdersPrisma;

beforeAll(async () => {
  db = createOrdersPrisma({ databaseUrl: databaseUrl('orders', 'test') });
  await truncateAll(db);
});

afterAll(async () => {
  if (db) await truncateAll(db);
  await db?.$disconnect();
});

const ALLOWED: [OrderStatus, OrderStatus][] = [
  ['PENDING', 'STOCK_RESERVED'],
  ['PENDING', 'CANCELLED'],
  ['STOCK_RESERVED', 'PAYMENT_AUTHORIZED'],
  ['STOCK_RESERVED', 'PAYMENT_FAILED'],
  ['STOCK_RESERVED', 'CANCELLED'],
  ['PAYMENT_AUTHORIZED', 'CONFIRMED'],
  ['PAYMENT_AUTHORIZED', 'CANCELLED'],
  ['CONFIRMED', 'FULFILLED'],
  ['CONFIRMED', 'CANCELLED'],
  ['CONFIRMED', 'REFUNDED'],
  ['FULFILLED', 'SHIPPED'],
  ['FULFILLED', 'CANCELLED'],
  ['FULFILLED', 'REFUNDED'],
  ['SHIPPED', 'DELIVERED'],
  ['SHIPPED', 'REFUNDED'],
  ['DELIVERED', 'REFUNDED'],
];

const REFUSED: [OrderStatus, OrderStatus][] = ORDER_STATUSES.flatMap((from) =>
  ORDER_STATUSES.filter((to) => !ALLOWED.some(([a, b]) => a === from && b === to)).map((to): [OrderStatus, OrderStatus] => [from, to]),
);

const transition = (orderId: string, to: OrderStatus, reason: string | null = 'because') =>
  db.$transaction(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order) throw new Error('missing order');
    return transitionOrder(tx, order, to, { actor: { userId: '0193a7d0-0000-7000-8000-00000000a11c' }, reason });
  });

describe('the transition table', () => {
  it('is exactly the documented state machine', () => {
    const table = ORDER_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to]));
    expect(table.sort()).toEqual([...ALLOWED].sort());
    expect([...FINAL_STATUSES].sort()).toEqual(['CANCELLED', 'PAYMENT_FAILED', 'REFUNDED']);
    expect(canTransition('PENDING', 'CONFIRMED')).toBe(false);
  });

  it.each(ALLOWED)('allows %s → %s, with a timeline row and events', async (from, to) => {
    const order = await insertOrder(db, { status: from });
    const updated = await transition(order.id, to);
    expect(updated.status).toBe(to);
    expect(updated.version).toBe(2);
    expect(updated.statusReason).toBe('because');

    const timeline = await db.orderTransition.findMany({ where: { orderId: order.id }, orderBy: { seq: 'asc' } });
    expect(timeline.at(-1)).toMatchObject({ seq: 2, fromStatus: from, toStatus: to, reason: 'because', actor: '0193a7d0-0000-7000-8000-00000000a11c' });

    const events = await outboxRows(db, order.id);
    const expected = ['order.status_changed'];
    if (to === 'CONFIRMED') expected.push('order.confirmed');
    if (to === 'CANCELLED' || to === 'PAYMENT_FAILED') expected.push('order.cancelled');
    expect(events.map((row) => row.event_type)).toEqual(expected);
    expect(events[0]!.envelope.payload).toMatchObject({ orderId: order.id, userId: order.userId, from, to, reason: 'because' });
    if (to === 'CANCELLED' || to === 'PAYMENT_FAILED') {
      expect(events[1]!.envelope.payload).toMatchObject({ orderId: order.id, from, to, reason: 'because' });
    }
    if (to === 'CONFIRMED') expect(events[1]!.envelope.payload).toMatchObject({ orderId: order.id, totalMinor: 5000, currency: 'USD' });
  });

  it.each(REFUSED)('refuses %s → %s with INVALID_STATE_TRANSITION and changes nothing', async (from, to) => {
    const order = await insertOrder(db, { status: from });
    const error = await transition(order.id, to).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', from, to });
    const after = await db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe(from);
    expect(after.version).toBe(1);
    expect(await db.orderTransition.count({ where: { orderId: order.id } })).toBe(1);
    expect(await outboxRows(db, order.id)).toEqual([]);
  });

  it('needs a reason to cancel or fail', async () => {
    const order = await insertOrder(db, { status: 'STOCK_RESERVED' });
    for (const to of ['CANCELLED', 'PAYMENT_FAILED'] as const) {
      const error = await transition(order.id, to, '  ').catch((caught: unknown) => caught);
      expect((error as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    }
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('STOCK_RESERVED');
  });

  it('serialises concurrent transitions of one order on its row lock: only one of two racing cancels wins', async () => {
    const order = await insertOrder(db, { status: 'PENDING' });
    const results = await Promise.allSettled([transition(order.id, 'CANCELLED'), transition(order.id, 'CANCELLED')]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as AppError).extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect(await db.orderTransition.count({ where: { orderId: order.id } })).toBe(2);
  });

  it('refuses a stale row that was not locked', async () => {
    const order = await insertOrder(db, { status: 'PENDING' });
    await transition(order.id, 'STOCK_RESERVED');
    const stale = { ...order, status: 'PENDING' as const };
    await expect(db.$transaction((tx) => transitionOrder(tx, stale, 'STOCK_RESERVED', { actor: 'system' }))).rejects.toThrow(/changed under a transition/);
  });
});
