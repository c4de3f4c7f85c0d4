/**
 * What payments publishes: the saga's payment.* events, keyed by order id.
 * Each function appends to the outbox with the caller's transaction, so an
 * event exists exactly when the payment change it describes commits (the
 * relay ships it to Kafka). Events carry ids and amounts, never card data or
 * the payment-method token.
 */
import {
  appendToOutbox,
  PaymentAuthorized,
  PaymentCaptured,
  PaymentFailed,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentVoided,
  type TraceCarrier,
} from '@commerce/events';
import type { Payment, PaymentsTx } from '../data/prisma.js';

const ref = (payment: Payment) => ({ orderId: payment.orderId, paymentId: payment.id, provider: payment.provider });
const iso = (date: Date | null | undefined): string => (date ?? new Date()).toISOString();

/** A payment that has an amount: order.placed was seen. */
function money(payment: Payment): { currency: string; amountMinor: number } {
  if (payment.currency === null || payment.amountMinor === null) throw new Error(`payment ${payment.id} has no amount yet`);
  return { currency: payment.currency, amountMinor: payment.amountMinor };
}

export async function publishAuthorized(tx: PaymentsTx, payment: Payment, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, PaymentAuthorized, {
    aggregateId: payment.orderId,
    payload: { ...ref(payment), ...money(payment), authorizedAt: iso(payment.authorizedAt) },
    traceContext,
  });
}

export async function publishFailed(tx: PaymentsTx, payment: Payment, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, PaymentFailed, {
    aggregateId: payment.orderId,
    payload: {
      ...ref(payment),
      reason: payment.failureReason ?? 'The payment was declined.',
      declineCode: payment.declineCode,
      failedAt: iso(payment.failedAt),
    },
    traceContext,
  });
}

export async function publishCaptured(tx: PaymentsTx, payment: Payment, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, PaymentCaptured, {
    aggregateId: payment.orderId,
    payload: { ...ref(payment), currency: money(payment).currency, amountMinor: payment.capturedMinor, capturedAt: iso(payment.capturedAt) },
    traceContext,
  });
}

export async function publishVoided(tx: PaymentsTx, payment: Payment, reason: string, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, PaymentVoided, {
    aggregateId: payment.orderId,
    payload: { ...ref(payment), reason, voidedAt: iso(payment.voidedAt) },
    traceContext,
  });
}

export interface RefundOutcome {
  refundRequestId: string;
  refundId: string;
  amountMinor: number;
  refundedAt: Date;
}

export async function publishRefunded(tx: PaymentsTx, payment: Payment, refund: RefundOutcome, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, PaymentRefunded, {
    aggregateId: payment.orderId,
    payload: {
      ...ref(payment),
      refundRequestId: refund.refundRequestId,
      refundId: refund.refundId,
      currency: money(payment).currency,
      amountMinor: refund.amountMinor,
      refundedTotalMinor: payment.refundedMinor,
      refundedAt: refund.refundedAt.toISOString(),
    },
    traceContext,
  });
}

export async function publishRefundFailed(
  tx: PaymentsTx,
  payment: Payment,
  refundRequestId: string,
  reason: string,
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, PaymentRefundFailed, {
    aggregateId: payment.orderId,
    payload: { ...ref(payment), refundRequestId, reason, failedAt: new Date().toISOString() },
    traceContext,
  });
}
