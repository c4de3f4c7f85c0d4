/**
 * The payment side of the checkout saga: one payment row per order, and how
 * it reacts to the other services' events. Use it for anything that moves
 * money; resolvers only read.
 *
 * - order.placed records amount, currency, owner and the payment-method token;
 *   stock.reserved records that the goods are held. Whichever of the two comes
 *   second authorizes (manual capture) → payment.authorized | payment.failed.
 * - stock.reservation_failed cancels a payment that was never authorized.
 * - order.confirmed captures → payment.captured.
 * - order.cancelled voids an authorization (payment.voided) or refunds a
 *   capture in full (payment.refunded).
 * - order.refund_requested refunds part or all of the capture →
 *   payment.refunded (with the running total) | payment.refund_failed.
 *
 * Every reaction runs in the consumer's transaction, with the payment row
 * locked, and calls the provider inside it with an idempotency key derived
 * from our ids: a redelivered event, or a retry after a crash between the
 * provider's answer and the commit, gets the provider's first answer and
 * cannot charge twice. Events go through the outbox in the same transaction.
 */
import type {
  OrderCancelledPayload,
  OrderConfirmedPayload,
  OrderPlacedPayload,
  OrderRefundRequestedPayload,
  StockReservationFailedPayload,
  StockReservedPayload,
  TraceCarrier,
} from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { deterministicUuid } from '../data/ids.js';
import { lockPaymentForOrder, succeededRefundTotal } from '../data/payments.js';
import type { Payment, PaymentsTx } from '../data/prisma.js';
import {
  publishAuthorized,
  publishCaptured,
  publishFailed,
  publishRefunded,
  publishRefundFailed,
  publishVoided,
} from '../events/publish.js';
import { idempotencyKeys } from './idempotency-keys.js';
import { canMove, isCaptured, refundedStatus } from './payment-status.js';
import type { PaymentProvider } from './providers/payment-provider.js';

/** What every saga reaction gets first: its transaction, the provider, a logger, the event's trace context. */
export interface SagaContext {
  tx: PaymentsTx;
  provider: PaymentProvider;
  logger: Logger;
  traceContext: TraceCarrier;
}

export async function onOrderPlaced(ctx: SagaContext, event: OrderPlacedPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  if (payment.orderPlacedAt) return;
  ctx.logger.info({ orderId: event.orderId, paymentId: payment.id, amountMinor: event.totalMinor, currency: event.currency }, 'order recorded for payment');
  await recordAndAuthorizeIfReady(ctx, payment, {
    userId: event.userId,
    currency: event.currency,
    amountMinor: event.totalMinor,
    paymentMethodToken: event.paymentMethodToken,
    orderPlacedAt: new Date(),
  });
}

export async function onStockReserved(ctx: SagaContext, event: StockReservedPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  if (payment.stockReservedAt) return;
  await recordAndAuthorizeIfReady(ctx, payment, { stockReservedAt: new Date() });
}

export async function onStockReservationFailed(ctx: SagaContext, event: StockReservationFailedPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  if (payment.status !== 'PENDING') return;
  await ctx.tx.payment.update({
    where: { id: payment.id },
    data: { status: 'CANCELLED', cancelledAt: new Date(), failureReason: `Stock could not be reserved: ${event.reason}` },
  });
  ctx.logger.info({ orderId: event.orderId, paymentId: payment.id }, 'payment cancelled: stock not reserved');
}

/**
 * The provider that holds this payment. A payment stays with the gateway that
 * authorized it: if the process now runs another one (PAYMENT_PROVIDER changed
 * while orders were in flight), the reaction fails loudly (retries, then the
 * DLQ) rather than capturing or refunding at the wrong gateway.
 */
function providerOf(ctx: SagaContext, payment: Payment): PaymentProvider {
  if (payment.provider !== ctx.provider.name) {
    throw new Error(`payment ${payment.id} belongs to provider ${payment.provider}, but this process runs ${ctx.provider.name}`);
  }
  return ctx.provider;
}

/** What order.placed, or stock.reserved, records on the payment. */
type SagaFacts =
  | Pick<Payment, 'userId' | 'currency' | 'amountMinor' | 'paymentMethodToken' | 'orderPlacedAt'>
  | Pick<Payment, 'stockReservedAt'>;

/**
 * Records `facts` and, once both order.placed and stock.reserved have been
 * seen, authorizes, never twice. The gateway is asked first (with an
 * idempotency key) and its answer written together with the facts in one
 * UPDATE: a failure before the write rolls the whole reaction back.
 */
async function recordAndAuthorizeIfReady(ctx: SagaContext, payment: Payment, facts: SagaFacts): Promise<void> {
  const recorded: Payment = { ...payment, ...facts };
  if (recorded.status !== 'PENDING' || !recorded.orderPlacedAt || !recorded.stockReservedAt) {
    await ctx.tx.payment.update({ where: { id: payment.id }, data: facts });
    return;
  }
  const amountMinor = recorded.amountMinor!;
  const log = { orderId: payment.orderId, paymentId: payment.id, provider: ctx.provider.name };

  const result =
    amountMinor === 0
      ? // Nothing to hold (a fully discounted order): authorized without asking the gateway.
        ({ outcome: 'authorized', providerPaymentId: null, amountMinor: 0 } as const)
      : await ctx.provider.authorize({
          orderId: payment.orderId,
          amountMinor,
          currency: recorded.currency!,
          paymentMethodToken: recorded.paymentMethodToken!,
          idempotencyKey: idempotencyKeys.authorize(payment.orderId),
        });

  if (result.outcome === 'authorized') {
    const authorized = await ctx.tx.payment.update({
      where: { id: payment.id },
      // Nothing happened at any gateway before this call: the payment belongs to the one that answered.
      data: { ...facts, status: 'AUTHORIZED', provider: ctx.provider.name, providerPaymentId: result.providerPaymentId, authorizedAt: new Date() },
    });
    await publishAuthorized(ctx.tx, authorized, ctx.traceContext);
    ctx.logger.info({ ...log, providerPaymentId: result.providerPaymentId }, 'payment authorized');
    return;
  }
  const failed = await ctx.tx.payment.update({
    where: { id: payment.id },
    data: {
      ...facts,
      status: 'FAILED',
      provider: ctx.provider.name,
      providerPaymentId: result.providerPaymentId,
      failureReason: result.reason,
      declineCode: result.declineCode,
      failedAt: new Date(),
    },
  });
  await publishFailed(ctx.tx, failed, ctx.traceContext);
  ctx.logger.info({ ...log, declineCode: result.declineCode }, 'payment declined');
}

export async function onOrderConfirmed(ctx: SagaContext, event: OrderConfirmedPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  if (payment.status !== 'AUTHORIZED') {
    if (!isCaptured(payment.status)) {
      ctx.logger.warn({ orderId: event.orderId, paymentId: payment.id, status: payment.status }, 'order confirmed but payment not authorized; nothing captured');
    }
    return;
  }
  const amountMinor = payment.amountMinor!;
  const result =
    amountMinor === 0 || !payment.providerPaymentId
      ? ({ outcome: 'captured', amountMinor: 0 } as const)
      : await providerOf(ctx, payment).capture({
          orderId: payment.orderId,
          providerPaymentId: payment.providerPaymentId,
          amountMinor,
          idempotencyKey: idempotencyKeys.capture(payment.orderId),
        });
  if (result.outcome === 'failed') {
    // Left AUTHORIZED; the consumer retries, then dead-letters the event for a person to look at.
    throw new Error(`capture of payment ${payment.id} (order ${payment.orderId}) refused by ${ctx.provider.name}: ${result.reason}`);
  }
  const captured = await ctx.tx.payment.update({
    where: { id: payment.id },
    data: { status: 'CAPTURED', capturedMinor: result.amountMinor, capturedAt: new Date() },
  });
  await publishCaptured(ctx.tx, captured, ctx.traceContext);
  ctx.logger.info({ orderId: payment.orderId, paymentId: payment.id, amountMinor: result.amountMinor }, 'payment captured');
}

/** The refund request id of the full refund that follows a cancellation after capture. */
export const cancellationRefundRequestId = (orderId: string): string => deterministicUuid(`order-cancelled-refund:${orderId}`);

export async function onOrderCancelled(ctx: SagaContext, event: OrderCancelledPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  const log = { orderId: event.orderId, paymentId: payment.id, status: payment.status };

  if (payment.status === 'PENDING') {
    await ctx.tx.payment.update({
      where: { id: payment.id },
      data: { status: 'CANCELLED', cancelledAt: new Date(), failureReason: `Order cancelled: ${event.reason}` },
    });
    ctx.logger.info(log, 'payment cancelled before authorization');
    return;
  }

  if (payment.status === 'AUTHORIZED') {
    if (payment.providerPaymentId) {
      const result = await providerOf(ctx, payment).void({
        orderId: payment.orderId,
        providerPaymentId: payment.providerPaymentId,
        idempotencyKey: idempotencyKeys.void(payment.orderId),
      });
      if (result.outcome === 'failed') {
        throw new Error(`void of payment ${payment.id} (order ${payment.orderId}) refused by ${ctx.provider.name}: ${result.reason}`);
      }
    }
    const voided = await ctx.tx.payment.update({ where: { id: payment.id }, data: { status: 'VOIDED', voidedAt: new Date() } });
    await publishVoided(ctx.tx, voided, event.reason, ctx.traceContext);
    ctx.logger.info(log, 'authorization voided');
    return;
  }

  if (payment.status === 'CAPTURED' || payment.status === 'PARTIALLY_REFUNDED') {
    const refundRequestId = cancellationRefundRequestId(payment.orderId);
    const remaining = payment.capturedMinor - (await succeededRefundTotal(ctx.tx, payment.id));
    if (remaining <= 0 || (await ctx.tx.refund.findUnique({ where: { refundRequestId } }))) return;
    await refund(ctx, payment, { refundRequestId, amountMinor: remaining, reason: `Order cancelled: ${event.reason}` });
    return;
  }
  // FAILED, VOIDED, CANCELLED, REFUNDED: nothing is held or left to give back.
}

export async function onRefundRequested(ctx: SagaContext, event: OrderRefundRequestedPayload): Promise<void> {
  const payment = await lockPaymentForOrder(ctx.tx, event.orderId, ctx.provider.name);
  // A request is answered once, whatever event delivered it.
  if (await ctx.tx.refund.findUnique({ where: { refundRequestId: event.refundRequestId } })) return;

  const refused = async (reason: string): Promise<void> => {
    await ctx.tx.refund.create({
      data: { paymentId: payment.id, refundRequestId: event.refundRequestId, status: 'FAILED', amountMinor: event.amountMinor, reason: event.reason, failureReason: reason },
    });
    await publishRefundFailed(ctx.tx, payment, event.refundRequestId, reason, ctx.traceContext);
    ctx.logger.info({ orderId: payment.orderId, paymentId: payment.id, refundRequestId: event.refundRequestId, reason }, 'refund refused');
  };

  if (!isCaptured(payment.status)) {
    return refused(`Nothing captured to refund (payment is ${payment.status}).`);
  }
  if (event.currency !== payment.currency) return refused(`The refund is in ${event.currency}, the payment in ${payment.currency}.`);
  const remaining = payment.capturedMinor - (await succeededRefundTotal(ctx.tx, payment.id));
  if (event.amountMinor > remaining) {
    return refused(`The refund of ${event.amountMinor} exceeds what is left to refund (${remaining}).`);
  }
  await refund(ctx, payment, { refundRequestId: event.refundRequestId, amountMinor: event.amountMinor, reason: event.reason });
}

interface RefundInput {
  refundRequestId: string;
  amountMinor: number;
  reason: string;
}

async function refund(ctx: SagaContext, payment: Payment, input: RefundInput): Promise<void> {
  const result = await providerOf(ctx, payment).refund({
    orderId: payment.orderId,
    refundRequestId: input.refundRequestId,
    providerPaymentId: payment.providerPaymentId!,
    amountMinor: input.amountMinor,
    currency: payment.currency!,
    idempotencyKey: idempotencyKeys.refund(input.refundRequestId),
  });
  const log = { orderId: payment.orderId, paymentId: payment.id, refundRequestId: input.refundRequestId };

  if (result.outcome === 'failed') {
    await ctx.tx.refund.create({
      data: {
        paymentId: payment.id,
        refundRequestId: input.refundRequestId,
        status: 'FAILED',
        amountMinor: input.amountMinor,
        reason: input.reason,
        failureReason: result.reason,
      },
    });
    await publishRefundFailed(ctx.tx, payment, input.refundRequestId, result.reason, ctx.traceContext);
    ctx.logger.warn({ ...log, declineCode: result.declineCode }, 'refund refused by the provider');
    return;
  }

  const refundedAt = new Date();
  await ctx.tx.refund.create({
    data: {
      paymentId: payment.id,
      refundRequestId: input.refundRequestId,
      status: 'SUCCEEDED',
      amountMinor: result.amountMinor,
      providerRefundId: result.providerRefundId,
      reason: input.reason,
      createdAt: refundedAt,
    },
  });
  // A webhook (charge.refunded) may already have raised the total; never count a refund twice.
  const refundedMinor = Math.max(payment.refundedMinor, await succeededRefundTotal(ctx.tx, payment.id));
  const status = refundedStatus(payment.capturedMinor, refundedMinor);
  const updated = await ctx.tx.payment.update({
    where: { id: payment.id },
    data: { refundedMinor, ...(canMove(payment.status, status) ? { status } : {}) },
  });
  await publishRefunded(
    ctx.tx,
    updated,
    { refundRequestId: input.refundRequestId, refundId: result.providerRefundId, amountMinor: result.amountMinor, refundedAt },
    ctx.traceContext,
  );
  ctx.logger.info({ ...log, amountMinor: result.amountMinor, refundedMinor }, 'payment refunded');
}
