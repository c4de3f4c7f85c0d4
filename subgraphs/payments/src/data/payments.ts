/**
 * Row access the saga and the webhook share: the payment row of an order,
 * created on first sight and locked for the rest of the transaction, so two
 * reactions to one order (on two Kafka topics, or a webhook) never interleave.
 */
import type { Payment, PaymentsTx } from './prisma.js';

/**
 * The order's payment row, created PENDING if this is the first event about
 * the order, and locked (`FOR UPDATE`) until the transaction ends.
 */
export async function lockPaymentForOrder(tx: PaymentsTx, orderId: string, provider: string): Promise<Payment> {
  // createMany + skipDuplicates is INSERT … ON CONFLICT DO NOTHING: no unique-violation race.
  await tx.payment.createMany({ data: [{ orderId, provider }], skipDuplicates: true });
  await tx.$queryRaw`SELECT id FROM payments WHERE order_id = ${orderId}::uuid FOR UPDATE`;
  return tx.payment.findUniqueOrThrow({ where: { orderId } });
}

/** An existing payment row, locked; null when there is none. */
export async function lockPaymentWhere(
  tx: PaymentsTx,
  where: { providerPaymentId: string } | { orderId: string },
): Promise<Payment | null> {
  const rows =
    'orderId' in where
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM payments WHERE order_id = ${where.orderId}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM payments WHERE provider_payment_id = ${where.providerPaymentId} FOR UPDATE`;
  const id = rows[0]?.id;
  return id ? tx.payment.findUnique({ where: { id } }) : null;
}

/** Sum of the refunds that went through: our own ledger of what we refunded. */
export async function succeededRefundTotal(tx: PaymentsTx, paymentId: string): Promise<number> {
  const total = await tx.refund.aggregate({ where: { paymentId, status: 'SUCCEEDED' }, _sum: { amountMinor: true } });
  return total._sum.amountMinor ?? 0;
}
