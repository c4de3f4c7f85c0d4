/**
 * What GraphQL may read about payments. Access rules live in permissions.ts
 * (owner or admin); this only decides what a payment looks like from outside:
 * a row that has not seen order.placed yet has no amount and is not shown.
 */
import type { PaymentsContext } from '../context.js';
import type { Payment, Refund } from '../data/prisma.js';

export async function paymentOfOrder(ctx: PaymentsContext, orderId: string): Promise<Payment | null> {
  const payment = await ctx.loaders.paymentByOrderId.load(orderId);
  return payment?.orderPlacedAt && payment.currency !== null ? payment : null;
}

/** A refund attempt with its payment's currency (refund rows have none of their own). */
export type RefundView = Refund & { currency: string };

/** A payment's refund attempts, succeeded and failed, oldest first (batched across payments). */
export async function refundsOf(ctx: PaymentsContext, payment: Payment): Promise<RefundView[]> {
  const refunds = await ctx.loaders.refundsByPaymentId.load(payment.id);
  return refunds.map((refund) => ({ ...refund, currency: payment.currency ?? '' }));
}

export async function failedRefundCount(ctx: PaymentsContext, payment: Payment): Promise<number> {
  return (await refundsOf(ctx, payment)).filter((refund) => refund.status === 'FAILED').length;
}
