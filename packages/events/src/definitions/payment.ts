import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { amountMinor, currencyCode, isoTimestamp, uuid } from './common.js';

/** Payment events are keyed by orderId. They carry no card data. */
const paymentRef = { orderId: uuid, paymentId: uuid, provider: z.string().min(1) };

export const paymentAuthorizedSchema = z.object({ ...paymentRef, currency: currencyCode, amountMinor, authorizedAt: isoTimestamp });
/** Step 3 of the saga, success: the amount is held on the shopper's payment method. */
export const PaymentAuthorized = defineEvent({ type: 'payment.authorized', version: 1, topic: TOPICS.payment, schema: paymentAuthorizedSchema });

export const paymentFailedSchema = z.object({
  ...paymentRef,
  reason: z.string().min(1),
  /** The provider's decline code, e.g. card_declined, insufficient_funds. */
  declineCode: z.string().nullable(),
  failedAt: isoTimestamp,
});
/** Step 3 of the saga, failure: the order fails and its stock is released. */
export const PaymentFailed = defineEvent({ type: 'payment.failed', version: 1, topic: TOPICS.payment, schema: paymentFailedSchema });

export const paymentCapturedSchema = z.object({ ...paymentRef, currency: currencyCode, amountMinor, capturedAt: isoTimestamp });
/** The authorized amount was captured (at order confirmation). */
export const PaymentCaptured = defineEvent({ type: 'payment.captured', version: 1, topic: TOPICS.payment, schema: paymentCapturedSchema });

export const paymentVoidedSchema = z.object({ ...paymentRef, reason: z.string().min(1), voidedAt: isoTimestamp });
/** An authorization was released without capture (order cancelled). */
export const PaymentVoided = defineEvent({ type: 'payment.voided', version: 1, topic: TOPICS.payment, schema: paymentVoidedSchema });

export const paymentRefundedSchema = z.object({
  ...paymentRef,
  refundRequestId: uuid,
  refundId: z.string().min(1),
  currency: currencyCode,
  amountMinor: amountMinor.positive(),
  /** Total refunded so far, this refund included. */
  refundedTotalMinor: amountMinor,
  refundedAt: isoTimestamp,
});
/** A full or partial refund went through. */
export const PaymentRefunded = defineEvent({ type: 'payment.refunded', version: 1, topic: TOPICS.payment, schema: paymentRefundedSchema });

export const paymentRefundFailedSchema = z.object({ ...paymentRef, refundRequestId: uuid, reason: z.string().min(1), failedAt: isoTimestamp });
export const PaymentRefundFailed = defineEvent({
  type: 'payment.refund_failed',
  version: 1,
  topic: TOPICS.payment,
  schema: paymentRefundFailedSchema,
});

export type PaymentAuthorizedPayload = z.output<typeof paymentAuthorizedSchema>;
export type PaymentFailedPayload = z.output<typeof paymentFailedSchema>;
export type PaymentCapturedPayload = z.output<typeof paymentCapturedSchema>;
export type PaymentVoidedPayload = z.output<typeof paymentVoidedSchema>;
export type PaymentRefundedPayload = z.output<typeof paymentRefundedSchema>;
export type PaymentRefundFailedPayload = z.output<typeof paymentRefundFailedSchema>;
