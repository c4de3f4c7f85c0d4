/**
 * The checkout saga's reactions must stay cheap in SQL: each statement costs
 * query compilation, a round trip and PostgreSQL work. Each reaction runs in
 * a transaction of our own (no processed_events claim) and the statements the
 * Prisma client sends are counted; BEGIN/COMMIT and the outbox's own
 * statements (packages/events) are left out, so what is counted is what
 * payments itself issues.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventContext, type EventContext, type EventEnvelope } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { lockPaymentForOrder, lockPaymentWhere } from '../src/data/payments.js';
import type { PaymentsPrisma, PaymentsTx } from '../src/data/prisma.js';
import { sagaHandlers } from '../src/events/consumer.js';
import { LocalTestProvider } from '../src/service/providers/index.js';
import { events, newOrder, outboxTypes, paymentOf, silentLogger, testPrisma, truncateAll } from './helpers.js';
import { ownStatements } from '@commerce/testing';

const statements: string[] = [];
let db: PaymentsPrisma;
const logger = silentLogger();
const handlers = sagaHandlers({ provider: new LocalTestProvider(), logger }) as Record<
  string,
  (ctx: EventContext<PaymentsTx, Logger>, event: EventEnvelope) => Promise<void>
>;

/** The statements payments issues to handle one event. */
async function statementsFor(event: EventEnvelope): Promise<string[]> {
  await db.$transaction((tx) => handlers[event.type]!(createEventContext({ tx, envelope: event, group: 'payments-test', logger }), event));
  const ours = ownStatements(statements);
  statements.length = 0;
  return ours;
}

beforeAll(async () => {
  db = testPrisma((sql) => statements.push(sql));
  await truncateAll(db);
});

afterAll(async () => {
  if (db) await truncateAll(db);
  await db?.$disconnect();
});

beforeEach(() => {
  statements.length = 0;
});

const atMost = (max: number, sql: string[]) => expect(sql.length, sql.join('\n')).toBeLessThanOrEqual(max);

describe('statements per checkout', () => {
  it('order.placed, stock.reserved (authorizes), order.confirmed (captures): the row lock and one UPDATE each', async () => {
    const order = newOrder();
    atMost(2, await statementsFor(events.orderPlaced(order)));
    atMost(2, await statementsFor(events.stockReserved(order)));
    atMost(2, await statementsFor(events.orderConfirmed(order)));

    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized', 'payment.captured']);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'CAPTURED', capturedMinor: order.totalMinor, providerPaymentId: expect.any(String) });
  });

  it('stock.reserved first, then order.placed authorizes in the same single UPDATE', async () => {
    const order = newOrder();
    atMost(2, await statementsFor(events.stockReserved(order)));
    atMost(2, await statementsFor(events.orderPlaced(order)));

    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
    expect(await paymentOf(db, order.orderId)).toMatchObject({ status: 'AUTHORIZED', amountMinor: order.totalMinor, userId: order.userId });
  });

  it('a declined card records the facts and FAILED in one UPDATE', async () => {
    const order = newOrder({ token: 'pm_card_chargeDeclined' });
    atMost(2, await statementsFor(events.orderPlaced(order)));
    atMost(2, await statementsFor(events.stockReserved(order)));

    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.failed']);
    const payment = await paymentOf(db, order.orderId);
    expect(payment).toMatchObject({ status: 'FAILED', declineCode: 'card_declined' });
    expect(payment.stockReservedAt).toBeInstanceOf(Date);
  });

  it('a fact seen before (a replay under another event id) costs only the row lock and writes nothing', async () => {
    const order = newOrder();
    await statementsFor(events.orderPlaced(order));
    await statementsFor(events.stockReserved(order));
    atMost(1, await statementsFor(events.orderPlaced(order)));
    atMost(1, await statementsFor(events.stockReserved(order)));
    expect(await outboxTypes(db, order.orderId)).toEqual(['payment.authorized']);
  });
});

describe('row locks', () => {
  it('lockPaymentForOrder creates once, then returns the stored row, exactly as Prisma reads it', async () => {
    const order = newOrder();
    const created = await db.$transaction((tx) => lockPaymentForOrder(tx, order.orderId, 'local'));
    expect(created).toMatchObject({ orderId: order.orderId, status: 'PENDING', provider: 'local', capturedMinor: 0, refundedMinor: 0, amountMinor: null });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await statementsFor(events.orderPlaced(order));
    await statementsFor(events.stockReserved(order));

    const locked = await db.$transaction((tx) => lockPaymentForOrder(tx, order.orderId, 'local'));
    expect(locked).toEqual(await paymentOf(db, order.orderId));
    expect(locked.id).toBe(created.id);
    expect(locked.authorizedAt).toBeInstanceOf(Date);
  });

  it('lockPaymentWhere locks and reads the row in one statement', async () => {
    const order = newOrder();
    await statementsFor(events.orderPlaced(order));
    await statementsFor(events.stockReserved(order));
    const stored = await paymentOf(db, order.orderId);
    statements.length = 0;

    const [byIntent, byOrder, missing] = await db.$transaction(async (tx) => [
      await lockPaymentWhere(tx, { providerPaymentId: stored.providerPaymentId! }),
      await lockPaymentWhere(tx, { orderId: order.orderId }),
      await lockPaymentWhere(tx, { providerPaymentId: 'pi_nobody' }),
    ]);
    expect(byIntent).toEqual(stored);
    expect(byOrder).toEqual(stored);
    expect(missing).toBeNull();
    atMost(3, ownStatements(statements));
  });
});
