/**
 * What the orders subgraph publishes, all on commerce.order and keyed by the
 * order id, so one order's events stay in order. Every function appends to the
 * outbox with the caller's transaction: an event exists exactly when the
 * change it describes commits. The relay (started by the subgraph) ships the
 * rows to Kafka.
 *
 * The payment-method token appears in order.placed only (payments needs it to
 * authorize). It is never stored in an orders table nor logged.
 */
import {
  appendToOutbox,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRefunded,
  OrderRefundRequested,
  OrderStatusChanged,
  type TraceCarrier,
} from '@commerce/events';
import type { Order, OrderLine, OrderStatus, RefundRequest, RefundRequestLine } from '../generated/prisma/client.js';
import type { OrdersTx } from '../data/prisma.js';

export async function publishOrderPlaced(
  tx: OrdersTx,
  order: Order,
  lines: readonly OrderLine[],
  paymentMethodToken: string,
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, OrderPlaced, {
    aggregateId: order.id,
    occurredAt: order.placedAt,
    traceContext,
    payload: {
      orderId: order.id,
      orderNumber: String(order.number),
      userId: order.userId,
      ...(order.email ? { email: order.email } : {}),
      cartId: order.cartId,
      currency: order.currency,
      lines: lines.map((line) => ({
        lineId: line.id,
        productId: line.productId,
        variantId: line.variantId,
        sku: line.sku,
        name: line.title,
        quantity: line.quantity,
        unitPriceMinor: line.unitPriceMinor,
        lineTotalMinor: line.lineTotalMinor,
      })),
      subtotalMinor: order.subtotalMinor,
      discountMinor: order.discountMinor,
      taxMinor: order.taxMinor,
      shippingMinor: order.shippingMinor,
      totalMinor: order.totalMinor,
      paymentMethodToken,
      placedAt: order.placedAt.toISOString(),
    },
  });
}

export async function publishStatusChanged(
  tx: OrdersTx,
  order: Order,
  change: { from: OrderStatus | null; to: OrderStatus; reason: string | null; at: Date },
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, OrderStatusChanged, {
    aggregateId: order.id,
    occurredAt: change.at,
    traceContext,
    payload: {
      orderId: order.id,
      orderNumber: String(order.number),
      userId: order.userId,
      ...(order.email ? { email: order.email } : {}),
      from: change.from,
      to: change.to,
      reason: change.reason,
      changedAt: change.at.toISOString(),
      ...(change.to === 'SHIPPED' && order.trackingNumber ? { trackingNumber: order.trackingNumber } : {}),
    },
  });
}

export async function publishConfirmed(tx: OrdersTx, order: Order, at: Date, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, OrderConfirmed, {
    aggregateId: order.id,
    occurredAt: at,
    traceContext,
    payload: {
      orderId: order.id,
      orderNumber: String(order.number),
      userId: order.userId,
      ...(order.email ? { email: order.email } : {}),
      currency: order.currency,
      totalMinor: order.totalMinor,
      confirmedAt: at.toISOString(),
    },
  });
}

export async function publishCancelled(
  tx: OrdersTx,
  order: Order,
  change: { from: OrderStatus; to: 'CANCELLED' | 'PAYMENT_FAILED'; reason: string; at: Date },
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, OrderCancelled, {
    aggregateId: order.id,
    occurredAt: change.at,
    traceContext,
    payload: {
      orderId: order.id,
      orderNumber: String(order.number),
      userId: order.userId,
      ...(order.email ? { email: order.email } : {}),
      from: change.from,
      to: change.to,
      reason: change.reason,
      cancelledAt: change.at.toISOString(),
    },
  });
}

export async function publishRefundRequested(
  tx: OrdersTx,
  order: Order,
  request: RefundRequest,
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, OrderRefundRequested, {
    aggregateId: order.id,
    occurredAt: request.requestedAt,
    traceContext,
    payload: {
      orderId: order.id,
      userId: order.userId,
      refundRequestId: request.id,
      currency: request.currency,
      amountMinor: request.amountMinor,
      restock: request.restock,
      reason: request.reason,
      requestedAt: request.requestedAt.toISOString(),
    },
  });
}

/**
 * The refund went through: with `restock`, inventory puts the request's units back on hand;
 * notifications tells the shopper (`fullyRefunded`: full or partial).
 */
export async function publishRefunded(
  tx: OrdersTx,
  order: Order,
  request: RefundRequest & { lines: RefundRequestLine[] },
  refund: { at: Date; fullyRefunded: boolean },
  traceContext: TraceCarrier,
): Promise<void> {
  const { at, fullyRefunded } = refund;
  await appendToOutbox(tx, OrderRefunded, {
    aggregateId: order.id,
    occurredAt: at,
    traceContext,
    payload: {
      orderId: order.id,
      orderNumber: String(order.number),
      userId: order.userId,
      ...(order.email ? { email: order.email } : {}),
      refundRequestId: request.id,
      currency: request.currency,
      amountMinor: request.amountMinor,
      restock: request.restock,
      lines: request.restock ? request.lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })) : [],
      refundedAt: at.toISOString(),
      fullyRefunded,
    },
  });
}
