/**
 * Field resolvers of Order (the entity orders owns) and Payment. Amounts are
 * stored as minor units plus one currency per payment.
 */
import type { PaymentsContext } from '../context.js';
import type { Payment } from '../data/prisma.js';
import * as reads from '../service/payment-read.service.js';

export const OrderResolvers = {
  /** Entity reference from the router: just the key; the field below loads (batched). */
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  payment: (order: { id: string }, _: unknown, ctx: PaymentsContext) => reads.paymentOfOrder(ctx, order.id),
};

const money = (payment: Payment, amountMinor: number) => ({ amountMinor, currency: payment.currency });

export const PaymentResolvers = {
  amount: (payment: Payment) => money(payment, payment.amountMinor ?? 0),
  capturedAmount: (payment: Payment) => money(payment, payment.capturedMinor),
  refundedAmount: (payment: Payment) => money(payment, payment.refundedMinor),
  refunds: (payment: Payment, _: unknown, ctx: PaymentsContext) => reads.refundsOf(ctx, payment),
  failedRefundCount: (payment: Payment, _: unknown, ctx: PaymentsContext) => reads.failedRefundCount(ctx, payment),
};

export const PaymentRefundResolvers = {
  amount: (refund: reads.RefundView) => ({ amountMinor: refund.amountMinor, currency: refund.currency }),
  at: (refund: reads.RefundView) => refund.createdAt,
};
