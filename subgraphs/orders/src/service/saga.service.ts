/**
 * The orders side of the checkout saga: how an order reacts to inventory's
 * and payments' events. Use this service for every status change that an
 * event (not a person) causes; events/consumer.ts routes each event type here.
 *
 * Every reaction runs inside the consumer's transaction (the one that also
 * records the event as processed), takes the order's row lock, and goes
 * through the state machine, so a redelivered event has no second effect and
 * a reaction never races an admin's change.
 *
 * Tolerance, because stock and payment events travel on different topics and
 * may arrive in any order:
 * - payment.authorized (or payment.failed) for an order still PENDING passes
 *   through STOCK_RESERVED first: payments only authorizes once inventory
 *   has reserved, so the reservation exists even if its event is late;
 * - an event that no longer applies (the order moved past it) is a no-op;
 * - an event for an order in a final state (CANCELLED, PAYMENT_FAILED,
 *   REFUNDED) is ignored with a log line; the compensations triggered by the
 *   final transition (order.cancelled) take care of the money and the stock;
 * - an event for an unknown order is logged and skipped (never retried).
 * Reactions never throw for business reasons: a throw means the database
 * failed, and the consumer retries.
 */
import type {
  EnvelopeOf,
  PaymentAuthorized,
  PaymentCaptured,
  PaymentFailed,
  PaymentRefunded,
  PaymentRefundFailed,
  StockReservationExpired,
  StockReservationFailed,
  StockReserved,
  TraceCarrier,
} from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { Order, OrderStatus } from '../generated/prisma/client.js';
import type { OrdersTx } from '../data/prisma.js';
import { isFinal, lockOrder, SYSTEM, transitionOrder, transitionOrderThrough, type TransitionStep } from './order-state-machine.js';
import { recordRefund, recordRefundFailure } from './refund.service.js';

/** Statuses in which the saga may still cancel an order for lack of stock. */
const STOCK_CANCELLABLE: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);
/** Before confirmation, an expired reservation cancels the order; after it, inventory has committed the stock. */
const EXPIRY_CANCELLABLE: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED']);

interface Envelope {
  eventId: string;
  type: string;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const traceOf = (event: Envelope): TraceCarrier => ({
  ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  ...(event.tracestate ? { tracestate: event.tracestate } : {}),
});

/**
 * Locks the order an event is about and hands it to `react`, unless there is
 * no such order or it is in a final state (both logged and skipped).
 */
async function withOrder(
  tx: OrdersTx,
  event: Envelope,
  orderId: string,
  logger: Logger,
  react: (order: Order) => Promise<void>,
): Promise<void> {
  const order = await lockOrder(tx, orderId);
  const log = { orderId, eventId: event.eventId, eventType: event.type };
  if (!order) {
    logger.warn(log, 'event for an unknown order; skipped');
    return;
  }
  if (isFinal(order.status)) {
    logger.info({ ...log, status: order.status }, 'event for an order in a final state; ignored');
    return;
  }
  await react(order);
}

const late = (logger: Logger, event: Envelope, order: Order): void =>
  logger.info({ orderId: order.id, eventId: event.eventId, eventType: event.type, status: order.status }, 'event no longer applies to the order; ignored');

/** stock.reserved: PENDING → STOCK_RESERVED. */
export function onStockReserved(tx: OrdersTx, event: EnvelopeOf<typeof StockReserved>, logger: Logger): Promise<void> {
  const { orderId, reservationId, expiresAt } = event.payload;
  return withOrder(tx, event, orderId, logger, async (order) => {
    if (order.status !== 'PENDING') return late(logger, event, order);
    await transitionOrder(tx, order, 'STOCK_RESERVED', {
      actor: SYSTEM,
      reason: `Stock reserved (reservation ${reservationId}, held until ${expiresAt})`,
      traceContext: traceOf(event),
    });
  });
}

/**
 * stock.reservation_failed: CANCELLED, with the shortages as the reason. Also
 * for a CONFIRMED order whose expired reservation could not be taken again:
 * order.cancelled {from: CONFIRMED} makes payments refund or void.
 */
export function onStockReservationFailed(tx: OrdersTx, event: EnvelopeOf<typeof StockReservationFailed>, logger: Logger): Promise<void> {
  const { orderId, reason, shortages } = event.payload;
  return withOrder(tx, event, orderId, logger, async (order) => {
    if (!STOCK_CANCELLABLE.has(order.status)) return late(logger, event, order);
    const lines = await tx.orderLine.findMany({ where: { orderId }, select: { variantId: true, sku: true } });
    const skuOf = new Map(lines.map((line) => [line.variantId, line.sku]));
    const missing = shortages.map(
      (shortage) => `${skuOf.get(shortage.variantId) ?? shortage.variantId} (requested ${shortage.requested}, available ${shortage.available})`,
    );
    await transitionOrder(tx, order, 'CANCELLED', {
      actor: SYSTEM,
      reason: missing.length > 0 ? `Out of stock: ${missing.join(', ')}` : `Stock could not be reserved: ${reason}`,
      traceContext: traceOf(event),
    });
  });
}

/** stock.reservation_expired: CANCELLED while not yet CONFIRMED; afterwards the stock is committed and it is ignored. */
export function onStockReservationExpired(tx: OrdersTx, event: EnvelopeOf<typeof StockReservationExpired>, logger: Logger): Promise<void> {
  const { orderId, expiredAt } = event.payload;
  return withOrder(tx, event, orderId, logger, async (order) => {
    if (!EXPIRY_CANCELLABLE.has(order.status)) return late(logger, event, order);
    await transitionOrder(tx, order, 'CANCELLED', {
      actor: SYSTEM,
      reason: `The stock reservation expired at ${expiredAt} before payment completed`,
      traceContext: traceOf(event),
    });
  });
}

/**
 * payment.authorized: → PAYMENT_AUTHORIZED → CONFIRMED in one transaction,
 * emitting order.confirmed (inventory commits, payments captures). From
 * PENDING it passes through STOCK_RESERVED first (see the top of this file).
 */
export function onPaymentAuthorized(tx: OrdersTx, event: EnvelopeOf<typeof PaymentAuthorized>, logger: Logger): Promise<void> {
  const { orderId, amountMinor, currency, provider } = event.payload;
  const traceContext = traceOf(event);
  return withOrder(tx, event, orderId, logger, async (start) => {
    if (!['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'].includes(start.status)) return late(logger, event, start);
    if (amountMinor !== start.totalMinor || currency !== start.currency) {
      logger.error(
        { orderId, authorized: { amountMinor, currency }, total: { amountMinor: start.totalMinor, currency: start.currency } },
        'authorized amount differs from the order total',
      );
    }
    // One path of transitions: one UPDATE and one timeline insert, each step still checked and published.
    const steps: TransitionStep[] = [];
    if (start.status === 'PENDING') {
      steps.push({ to: 'STOCK_RESERVED', reason: 'Payment authorized, so the stock is reserved (stock.reserved not handled yet)' });
    }
    if (start.status !== 'PAYMENT_AUTHORIZED') {
      steps.push({ to: 'PAYMENT_AUTHORIZED', reason: `Payment authorized (${provider})` });
    }
    steps.push({ to: 'CONFIRMED' });
    await transitionOrderThrough(tx, start, steps, { actor: SYSTEM, traceContext });
  });
}

/**
 * payment.failed: → PAYMENT_FAILED, emitting order.cancelled {to: PAYMENT_FAILED}
 * so inventory releases the reservation. From PENDING it passes through
 * STOCK_RESERVED first (payments only tries once stock is reserved).
 */
export function onPaymentFailed(tx: OrdersTx, event: EnvelopeOf<typeof PaymentFailed>, logger: Logger): Promise<void> {
  const { orderId, reason, declineCode } = event.payload;
  const traceContext = traceOf(event);
  return withOrder(tx, event, orderId, logger, async (start) => {
    if (start.status !== 'PENDING' && start.status !== 'STOCK_RESERVED') return late(logger, event, start);
    const steps: TransitionStep[] = [];
    if (start.status === 'PENDING') {
      steps.push({ to: 'STOCK_RESERVED', reason: 'Payment attempted, so the stock is reserved (stock.reserved not handled yet)' });
    }
    steps.push({ to: 'PAYMENT_FAILED', reason: declineCode ? `Payment failed: ${reason} (${declineCode})` : `Payment failed: ${reason}` });
    await transitionOrderThrough(tx, start, steps, { actor: SYSTEM, traceContext });
  });
}

/**
 * payment.captured: records the captured amount and time (what refunds are
 * bounded by). Not a transition. Recorded whatever the status, final ones
 * included: it is a fact about money, and payments refunds it if the order
 * was cancelled meanwhile.
 */
export async function onPaymentCaptured(tx: OrdersTx, event: EnvelopeOf<typeof PaymentCaptured>, logger: Logger): Promise<void> {
  const { orderId, amountMinor, capturedAt } = event.payload;
  // One statement: the UPDATE takes the row lock itself, and returns the status it wrote under.
  const [order] = await tx.order.updateManyAndReturn({
    where: { id: orderId },
    data: { capturedMinor: amountMinor, capturedAt: new Date(capturedAt) },
    select: { status: true },
  });
  if (!order) {
    logger.warn({ orderId, eventId: event.eventId, eventType: event.type }, 'event for an unknown order; skipped');
    return;
  }
  if (isFinal(order.status)) logger.info({ orderId, status: order.status }, 'capture recorded for an order in a final state');
}

/**
 * payment.refunded: records the refund (refund.service); REFUNDED when
 * everything captured is refunded; order.refunded {restock, lines} for
 * inventory. Recorded for final states too (a cancelled order's refund only
 * raises its refunded total).
 */
export async function onPaymentRefunded(tx: OrdersTx, event: EnvelopeOf<typeof PaymentRefunded>, logger: Logger): Promise<void> {
  const { orderId, refundRequestId, amountMinor, refundedTotalMinor, refundedAt } = event.payload;
  const order = await lockOrder(tx, orderId);
  if (!order) {
    logger.warn({ orderId, eventId: event.eventId, eventType: event.type }, 'event for an unknown order; skipped');
    return;
  }
  await recordRefund(tx, order, { refundRequestId, amountMinor, refundedTotalMinor, at: new Date(refundedAt) }, traceOf(event), logger);
}

/** payment.refund_failed: the request fails; the order keeps its status. */
export async function onPaymentRefundFailed(tx: OrdersTx, event: EnvelopeOf<typeof PaymentRefundFailed>, logger: Logger): Promise<void> {
  const { orderId, refundRequestId, reason, failedAt } = event.payload;
  const order = await lockOrder(tx, orderId);
  if (!order) {
    logger.warn({ orderId, eventId: event.eventId, eventType: event.type }, 'event for an unknown order; skipped');
    return;
  }
  await recordRefundFailure(tx, order, { refundRequestId, reason, at: new Date(failedAt) }, logger);
}
