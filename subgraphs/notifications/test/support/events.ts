/**
 * Event envelopes as the producers write them (validated by the same
 * definitions), for applying to the handlers or publishing to Kafka.
 */
import { randomUUID } from 'node:crypto';
import {
  OrderCancelled,
  OrderPlaced,
  OrderRefunded,
  OrderStatusChanged,
  UserPasswordResetRequested,
  UserRegistered,
  type AnyEventDefinition,
  type EventEnvelope,
  type EventPayloadInput,
  type OrderStatus,
} from '@commerce/events';
import { uniqueEmail } from '@commerce/testing';

export function envelope<D extends AnyEventDefinition>(
  definition: D,
  aggregateId: string,
  payload: EventPayloadInput<D>,
  options: { eventId?: string; occurredAt?: Date } = {},
): EventEnvelope {
  return {
    eventId: options.eventId ?? randomUUID(),
    type: definition.type,
    version: definition.version,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    aggregateId,
    payload: definition.parse(payload),
  };
}

export interface TestUser {
  userId: string;
  email: string;
  name: string;
}

export const newUser = (name = 'Ada Lovelace'): TestUser => ({ userId: randomUUID(), email: uniqueEmail('notify'), name });

export const userRegistered = (user: TestUser, options?: { occurredAt?: Date; eventId?: string }) =>
  envelope(
    UserRegistered,
    user.userId,
    { userId: user.userId, email: user.email, name: user.name, role: 'CUSTOMER', registeredAt: new Date().toISOString() },
    options,
  );

export const passwordResetRequested = (user: TestUser, resetToken: string, expiresAt = new Date(Date.now() + 30 * 60_000)) =>
  envelope(UserPasswordResetRequested, user.userId, {
    userId: user.userId,
    email: user.email,
    name: user.name,
    resetToken,
    expiresAt: expiresAt.toISOString(),
  });

export interface TestOrder {
  orderId: string;
  /** Null for a guest order (then `email` is the contact). */
  userId: string | null;
  currency: 'USD' | 'EUR';
  /** The order's contact email and number, carried by its events when set. */
  email?: string;
  orderNumber?: string;
}

/** What every order event carries about the order besides its id and user. */
const orderRefs = (order: TestOrder) => ({
  ...(order.email ? { email: order.email } : {}),
  ...(order.orderNumber ? { orderNumber: order.orderNumber } : {}),
});

/** Two lines: 2 × 49.99 + 1 × 25.02, subtotal 125.00, discount 5.00, tax 0, shipping 9.99 → total 129.99. */
export function orderPlaced(order: TestOrder, overrides: { lines?: { name: string; sku: string; quantity: number; unitPriceMinor: number }[] } = {}) {
  const lines = (overrides.lines ?? [
    { name: 'Trail Running Shoe', sku: 'SHOE-42', quantity: 2, unitPriceMinor: 4999 },
    { name: 'Merino Socks', sku: 'SOCK-M', quantity: 1, unitPriceMinor: 2502 },
  ]).map((line) => ({
    lineId: randomUUID(),
    productId: randomUUID(),
    variantId: randomUUID(),
    ...line,
    lineTotalMinor: line.quantity * line.unitPriceMinor,
  }));
  const subtotalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const discountMinor = overrides.lines ? 0 : 500;
  const shippingMinor = overrides.lines ? 0 : 999;
  return envelope(OrderPlaced, order.orderId, {
    orderId: order.orderId,
    userId: order.userId,
    ...orderRefs(order),
    cartId: randomUUID(),
    currency: order.currency,
    lines,
    subtotalMinor,
    discountMinor,
    taxMinor: 0,
    shippingMinor,
    totalMinor: subtotalMinor - discountMinor + shippingMinor,
    paymentMethodToken: 'pm_card_visa',
    placedAt: new Date().toISOString(),
  });
}

export const statusChanged = (order: TestOrder, from: OrderStatus | null, to: OrderStatus, options?: { occurredAt?: Date; trackingNumber?: string }) =>
  envelope(
    OrderStatusChanged,
    order.orderId,
    {
      orderId: order.orderId,
      userId: order.userId,
      ...orderRefs(order),
      from,
      to,
      reason: null,
      changedAt: new Date().toISOString(),
      ...(options?.trackingNumber ? { trackingNumber: options.trackingNumber } : {}),
    },
    options,
  );

export const orderCancelled = (order: TestOrder, to: 'CANCELLED' | 'PAYMENT_FAILED', reason: string) =>
  envelope(OrderCancelled, order.orderId, {
    orderId: order.orderId,
    userId: order.userId,
    ...orderRefs(order),
    from: 'STOCK_RESERVED',
    to,
    reason,
    cancelledAt: new Date().toISOString(),
  });

/**
 * A refund that went through. `fullyRefunded` and the order refs left out make the event as
 * orders wrote it before they existed (`legacy`).
 */
export const orderRefunded = (
  order: TestOrder,
  refund: { amountMinor: number; fullyRefunded?: boolean; refundRequestId?: string; legacy?: boolean },
  options?: { eventId?: string; occurredAt?: Date },
) =>
  envelope(
    OrderRefunded,
    order.orderId,
    {
      orderId: order.orderId,
      userId: order.userId,
      ...(refund.legacy ? {} : orderRefs(order)),
      refundRequestId: refund.refundRequestId ?? randomUUID(),
      currency: order.currency,
      amountMinor: refund.amountMinor,
      restock: false,
      lines: [],
      refundedAt: new Date().toISOString(),
      ...(refund.fullyRefunded === undefined ? {} : { fullyRefunded: refund.fullyRefunded }),
    },
    options,
  );

export const newOrder = (userId: string, currency: 'USD' | 'EUR' = 'USD'): TestOrder => ({ orderId: randomUUID(), userId, currency });

/** A guest's order: no user, the guest's email and an order number on every event. */
export const newGuestOrder = (email: string, orderNumber: string): TestOrder => ({ orderId: randomUUID(), userId: null, currency: 'USD', email, orderNumber });
