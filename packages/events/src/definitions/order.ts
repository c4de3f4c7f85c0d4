import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { amountMinor, currencyCode, isoTimestamp, uuid } from './common.js';

/**
 * Order events are keyed by orderId, so one order's events stay in order.
 * They never carry card data: only the provider's payment-method token.
 */
export const orderStatusSchema = z.enum([
  'PENDING',
  'STOCK_RESERVED',
  'PAYMENT_AUTHORIZED',
  'CONFIRMED',
  'FULFILLED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'PAYMENT_FAILED',
  'REFUNDED',
]);
export type OrderStatus = z.output<typeof orderStatusSchema>;

/**
 * The order's short human-readable number (e.g. "100234"), as shoppers see it.
 * Optional: events written before order numbers existed have none.
 */
const orderNumber = z.string().regex(/^[0-9]{1,12}$/).optional();

/**
 * The buyer's user id; null for a guest order (placed from an anonymous cart
 * with an email address). Guest orders that are attached to an account later
 * keep null in the events already written.
 */
const buyerId = uuid.nullable();

/**
 * The order's contact email, lower-cased: a guest's address, or the signed-in
 * buyer's account email at placement. Optional: events written before orders
 * recorded it have none. Notifications writes to it when it knows no account.
 */
const contactEmail = z.email().optional();

export const orderLineSchema = z.object({
  lineId: uuid,
  productId: uuid,
  variantId: uuid,
  sku: z.string().min(1),
  name: z.string(),
  quantity: z.number().int().positive(),
  unitPriceMinor: amountMinor,
  lineTotalMinor: amountMinor,
});

export const orderPlacedSchema = z.object({
  orderId: uuid,
  orderNumber,
  userId: buyerId,
  email: contactEmail,
  cartId: uuid,
  currency: currencyCode,
  lines: z.array(orderLineSchema).min(1),
  subtotalMinor: amountMinor,
  discountMinor: amountMinor,
  taxMinor: amountMinor,
  shippingMinor: amountMinor,
  totalMinor: amountMinor,
  /** The payment provider's token for the shopper's payment method (e.g. pm_card_visa). Never card data. */
  paymentMethodToken: z.string().min(1),
  placedAt: isoTimestamp,
});
/** Step 1 of the checkout saga: inventory reserves stock, payments records the amount to authorize. */
export const OrderPlaced = defineEvent({ type: 'order.placed', version: 1, topic: TOPICS.order, schema: orderPlacedSchema });

export const orderStatusChangedSchema = z.object({
  orderId: uuid,
  orderNumber,
  userId: buyerId,
  email: contactEmail,
  from: orderStatusSchema.nullable(),
  to: orderStatusSchema,
  reason: z.string().nullable(),
  changedAt: isoTimestamp,
  /** SHIPPED: the carrier's tracking number (added later: older events have none). */
  trackingNumber: z.string().nullable().optional(),
});
/** Every transition of the order state machine, for timelines, notifications and live status. */
export const OrderStatusChanged = defineEvent({
  type: 'order.status_changed',
  version: 1,
  topic: TOPICS.orderStatus,
  schema: orderStatusChangedSchema,
});

export const orderConfirmedSchema = z.object({
  orderId: uuid,
  orderNumber,
  userId: buyerId,
  email: contactEmail,
  currency: currencyCode,
  totalMinor: amountMinor,
  confirmedAt: isoTimestamp,
});
/** Stock reserved and payment authorized: inventory commits the reservation, payments captures. */
export const OrderConfirmed = defineEvent({ type: 'order.confirmed', version: 1, topic: TOPICS.order, schema: orderConfirmedSchema });

export const orderCancelledSchema = z.object({
  orderId: uuid,
  orderNumber,
  userId: buyerId,
  email: contactEmail,
  /** The status the order left: inventory and payments use it to pick their compensation. */
  from: orderStatusSchema,
  /** CANCELLED or PAYMENT_FAILED. */
  to: z.enum(['CANCELLED', 'PAYMENT_FAILED']),
  reason: z.string().min(1),
  cancelledAt: isoTimestamp,
});
/** The order ended without shipping: inventory releases any reservation, payments voids any authorization. */
export const OrderCancelled = defineEvent({ type: 'order.cancelled', version: 1, topic: TOPICS.order, schema: orderCancelledSchema });

export const orderRefundRequestedSchema = z.object({
  orderId: uuid,
  userId: buyerId,
  refundRequestId: uuid,
  currency: currencyCode,
  /** Full or partial, never more than what was captured and not yet refunded. */
  amountMinor: amountMinor.positive(),
  /** True when the items came back: inventory returns them to stock once the refund succeeds. */
  restock: z.boolean(),
  reason: z.string().min(1),
  requestedAt: isoTimestamp,
});
/** An admin asked for a refund: payments refunds through the provider. */
export const OrderRefundRequested = defineEvent({
  type: 'order.refund_requested',
  version: 1,
  topic: TOPICS.order,
  schema: orderRefundRequestedSchema,
});

export const orderRefundedSchema = z.object({
  orderId: uuid,
  orderNumber,
  userId: buyerId,
  email: contactEmail,
  refundRequestId: uuid,
  currency: currencyCode,
  amountMinor: amountMinor.positive(),
  restock: z.boolean(),
  /** The variants and quantities to return to stock when `restock` is true. */
  lines: z.array(z.object({ variantId: uuid, quantity: z.number().int().positive() })),
  refundedAt: isoTimestamp,
  /**
   * True when, with this refund, everything captured is refunded (the order moves to REFUNDED);
   * false for a partial refund. Added later: older events have none.
   */
  fullyRefunded: z.boolean().optional(),
});
/** The refund went through; with `restock`, inventory puts the items back on hand. */
export const OrderRefunded = defineEvent({ type: 'order.refunded', version: 1, topic: TOPICS.order, schema: orderRefundedSchema });

export type OrderPlacedPayload = z.output<typeof orderPlacedSchema>;
export type OrderLinePayload = z.output<typeof orderLineSchema>;
export type OrderStatusChangedPayload = z.output<typeof orderStatusChangedSchema>;
export type OrderConfirmedPayload = z.output<typeof orderConfirmedSchema>;
export type OrderCancelledPayload = z.output<typeof orderCancelledSchema>;
export type OrderRefundRequestedPayload = z.output<typeof orderRefundRequestedSchema>;
export type OrderRefundedPayload = z.output<typeof orderRefundedSchema>;
