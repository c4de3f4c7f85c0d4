/**
 * What GraphQL may read about payments. Access rules live in permissions.ts
 * (owner or admin); this only decides what a payment looks like from outside:
 * a row that has not seen order.placed yet has no amount and is not shown.
 */
import type { PaymentsContext } from '../context.js';
import type { Payment } from '../data/prisma.js';

export async function paymentOfOrder(ctx: PaymentsContext, orderId: string): Promise<Payment | null> {
  const payment = await ctx.loaders.paymentByOrderId.load(orderId);
  return payment?.orderPlacedAt && payment.currency !== null ? payment : null;
}
