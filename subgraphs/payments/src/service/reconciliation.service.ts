/**
 * Stripe's webhooks, reconciled with our payments. Use it only from the
 * webhook endpoint (after the signature is verified).
 *
 * The saga learns every outcome from the provider's synchronous answer; a
 * webhook matters when that answer was lost (a crash after Stripe acted but
 * before our commit) or something happened outside the saga (the Dashboard).
 * Rules:
 * - each Stripe event id is applied once (stripe_webhook_events); a replay is
 *   acknowledged and ignored;
 * - statuses only move forward (service/payment-status.ts), so an older event
 *   arriving after a newer state changes nothing;
 * - a transition a webhook makes publishes the same saga event the saga would
 *   have (payment.authorized, payment.failed, payment.captured, payment.voided),
 *   in the same transaction, so the saga never stalls on a lost answer and never
 *   hears a fact twice: the retried reaction then finds the payment moved on;
 * - an authorization that shows up for an order already cancelled (the
 *   authorization's answer was lost, then the order ended) is voided at once.
 * charge.refunded raises the refunded total (Stripe's cumulative
 * amount_refunded) but publishes nothing: payment.refunded belongs to a refund
 * request, which the saga answers when the request's event is retried.
 */
import type { Logger } from '@commerce/observability';
import { isUuid } from '../data/ids.js';
import { lockPaymentWhere } from '../data/payments.js';
import type { Payment, PaymentsPrisma, PaymentsTx } from '../data/prisma.js';
import { publishAuthorized, publishCaptured, publishFailed, publishVoided } from '../events/publish.js';
import { idempotencyKeys } from './idempotency-keys.js';
import { canMove, isCaptured, refundedStatus } from './payment-status.js';
import type { PaymentProvider } from './providers/payment-provider.js';
import { declineCodeOf } from './providers/stripe-provider.js';

/** The parts of a Stripe event we read; the rest of Stripe's shape is ignored. */
export interface StripeWebhookEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; object: string } & Record<string, unknown> };
}

interface IntentSnapshot {
  id: string;
  status: string;
  amount_received: number;
  metadata?: Record<string, string> | null;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
}

interface ChargeSnapshot {
  id: string;
  payment_intent: string | null;
  amount_refunded: number;
}

export type WebhookOutcome = 'applied' | 'ignored' | 'released' | 'duplicate';

export interface ReconcileContext {
  prisma: PaymentsPrisma;
  provider: PaymentProvider;
  logger: Logger;
}

/** Applies one verified Stripe event, once. */
export async function applyStripeEvent(ctx: ReconcileContext, event: StripeWebhookEvent): Promise<WebhookOutcome> {
  return ctx.prisma.$transaction(
    async (tx) => {
      // Claimed first: a concurrent delivery of the same event waits here, then sees it taken.
      const claimed = await tx.stripeWebhookEvent.createMany({
        data: [{ id: event.id, type: event.type, objectId: event.data.object.id, stripeCreatedAt: new Date(event.created * 1000), outcome: 'pending' }],
        skipDuplicates: true,
      });
      if (claimed.count === 0) return 'duplicate';
      const outcome = await apply(ctx, tx, event);
      await tx.stripeWebhookEvent.update({ where: { id: event.id }, data: { outcome } });
      ctx.logger.info({ stripeEventId: event.id, type: event.type, objectId: event.data.object.id, outcome }, 'stripe webhook handled');
      return outcome;
    },
    // A release calls Stripe inside the transaction.
    { maxWait: 10_000, timeout: 60_000 },
  );
}

async function apply(ctx: ReconcileContext, tx: PaymentsTx, event: StripeWebhookEvent): Promise<Exclude<WebhookOutcome, 'duplicate'>> {
  const object = event.data.object;
  if (object.object === 'charge' && event.type === 'charge.refunded') return applyRefunded(tx, object as unknown as ChargeSnapshot);
  if (object.object !== 'payment_intent') return 'ignored';

  const intent = object as unknown as IntentSnapshot;
  const orderId = intent.metadata?.order_id;
  const payment =
    (await lockPaymentWhere(tx, { providerPaymentId: intent.id })) ??
    (orderId && isUuid(orderId) ? await lockPaymentWhere(tx, { orderId }) : null);
  // Not ours, or about another PaymentIntent than the one we hold for the order.
  if (!payment || (payment.providerPaymentId !== null && payment.providerPaymentId !== intent.id)) return 'ignored';

  switch (event.type) {
    case 'payment_intent.amount_capturable_updated':
      if (intent.status !== 'requires_capture') return 'ignored';
      if (payment.status === 'PENDING' && payment.amountMinor !== null) return authorized(tx, payment, intent);
      if (payment.status === 'CANCELLED') return release(ctx, tx, payment, intent);
      return 'ignored';
    case 'payment_intent.succeeded':
      if (payment.status !== 'AUTHORIZED') return 'ignored';
      return captured(tx, payment, intent);
    case 'payment_intent.payment_failed':
      if (payment.status !== 'PENDING' || payment.amountMinor === null) return 'ignored';
      return failed(tx, payment, intent);
    case 'payment_intent.canceled':
      if (payment.status !== 'AUTHORIZED') return 'ignored';
      return voided(tx, payment);
    default:
      return 'ignored';
  }
}

async function authorized(tx: PaymentsTx, payment: Payment, intent: IntentSnapshot): Promise<'applied'> {
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: { status: 'AUTHORIZED', providerPaymentId: intent.id, authorizedAt: new Date() },
  });
  await publishAuthorized(tx, updated, {});
  return 'applied';
}

async function captured(tx: PaymentsTx, payment: Payment, intent: IntentSnapshot): Promise<'applied'> {
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: { status: 'CAPTURED', capturedMinor: intent.amount_received, capturedAt: new Date() },
  });
  await publishCaptured(tx, updated, {});
  return 'applied';
}

async function failed(tx: PaymentsTx, payment: Payment, intent: IntentSnapshot): Promise<'applied'> {
  const error = intent.last_payment_error ?? {};
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: {
      status: 'FAILED',
      providerPaymentId: intent.id,
      failureReason: error.message ?? 'The payment was declined.',
      declineCode: declineCodeOf(error),
      failedAt: new Date(),
    },
  });
  await publishFailed(tx, updated, {});
  return 'applied';
}

async function voided(tx: PaymentsTx, payment: Payment): Promise<'applied'> {
  const updated = await tx.payment.update({ where: { id: payment.id }, data: { status: 'VOIDED', voidedAt: new Date() } });
  await publishVoided(tx, updated, 'The authorization was cancelled at the payment provider.', {});
  return 'applied';
}

/** The order ended while an authorization we never recorded was live: let the money go. */
async function release(ctx: ReconcileContext, tx: PaymentsTx, payment: Payment, intent: IntentSnapshot): Promise<'released'> {
  const result = await ctx.provider.void({
    orderId: payment.orderId,
    providerPaymentId: intent.id,
    idempotencyKey: idempotencyKeys.void(payment.orderId),
  });
  if (result.outcome === 'failed') throw new Error(`could not release authorization ${intent.id}: ${result.reason}`);
  await tx.payment.update({ where: { id: payment.id }, data: { providerPaymentId: intent.id, voidedAt: new Date() } });
  ctx.logger.warn({ orderId: payment.orderId, paymentId: payment.id, providerPaymentId: intent.id }, 'released an authorization of a cancelled order');
  return 'released';
}

async function applyRefunded(tx: PaymentsTx, charge: ChargeSnapshot): Promise<'applied' | 'ignored'> {
  if (!charge.payment_intent) return 'ignored';
  const payment = await lockPaymentWhere(tx, { providerPaymentId: charge.payment_intent });
  if (!payment || !isCaptured(payment.status) || charge.amount_refunded <= payment.refundedMinor) return 'ignored';
  const refundedMinor = Math.min(charge.amount_refunded, payment.capturedMinor);
  const status = refundedStatus(payment.capturedMinor, refundedMinor);
  await tx.payment.update({
    where: { id: payment.id },
    data: { refundedMinor, ...(canMove(payment.status, status) ? { status } : {}) },
  });
  return 'applied';
}
