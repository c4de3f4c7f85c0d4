/**
 * Row access the saga and the webhook share: the payment row of an order,
 * created on first sight and locked for the rest of the transaction, so two
 * reactions to one order (on two Kafka topics, or a webhook) never interleave.
 */
import type { PaymentStatus } from '../generated/prisma/enums.js';
import { timeOrderedUuid } from './ids.js';
import { Prisma, type Payment, type PaymentsTx } from './prisma.js';

/** A payments row as `$queryRaw` returns it (the status cast to text). */
interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string | null;
  status: PaymentStatus;
  provider: string;
  currency: string | null;
  amount_minor: number | null;
  captured_minor: number;
  refunded_minor: number;
  payment_method_token: string | null;
  provider_payment_id: string | null;
  order_placed_at: Date | null;
  stock_reserved_at: Date | null;
  failure_reason: string | null;
  decline_code: string | null;
  authorized_at: Date | null;
  captured_at: Date | null;
  voided_at: Date | null;
  failed_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const PAYMENT_COLUMNS = Prisma.raw(
  'id, order_id, user_id, status::text AS status, provider, currency, amount_minor, captured_minor, refunded_minor, ' +
    'payment_method_token, provider_payment_id, order_placed_at, stock_reserved_at, failure_reason, decline_code, ' +
    'authorized_at, captured_at, voided_at, failed_at, cancelled_at, created_at, updated_at',
);

const toPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  orderId: row.order_id,
  userId: row.user_id,
  status: row.status,
  provider: row.provider,
  currency: row.currency,
  amountMinor: row.amount_minor,
  capturedMinor: row.captured_minor,
  refundedMinor: row.refunded_minor,
  paymentMethodToken: row.payment_method_token,
  providerPaymentId: row.provider_payment_id,
  orderPlacedAt: row.order_placed_at,
  stockReservedAt: row.stock_reserved_at,
  failureReason: row.failure_reason,
  declineCode: row.decline_code,
  authorizedAt: row.authorized_at,
  capturedAt: row.captured_at,
  voidedAt: row.voided_at,
  failedAt: row.failed_at,
  cancelledAt: row.cancelled_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The order's payment row, created PENDING if this is the first event about
 * the order, and locked until the transaction ends. One statement: the
 * conflict's no-op update takes the row lock (waiting for a concurrent
 * creator to commit) and RETURNING hands back the row as locked.
 */
export async function lockPaymentForOrder(tx: PaymentsTx, orderId: string, provider: string): Promise<Payment> {
  const rows = await tx.$queryRaw<PaymentRow[]>`
    INSERT INTO payments (id, order_id, provider, updated_at)
    VALUES (${timeOrderedUuid()}::uuid, ${orderId}::uuid, ${provider}, now())
    ON CONFLICT (order_id) DO UPDATE SET order_id = EXCLUDED.order_id
    RETURNING ${PAYMENT_COLUMNS}`;
  const row = rows[0];
  if (!row) throw new Error(`payment of order ${orderId} was neither created nor found`);
  return toPayment(row);
}

/** An existing payment row, locked (`FOR UPDATE`, read in the same statement); null when there is none. */
export async function lockPaymentWhere(
  tx: PaymentsTx,
  where: { providerPaymentId: string } | { orderId: string },
): Promise<Payment | null> {
  const rows =
    'orderId' in where
      ? await tx.$queryRaw<PaymentRow[]>`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = ${where.orderId}::uuid FOR UPDATE`
      : await tx.$queryRaw<PaymentRow[]>`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE provider_payment_id = ${where.providerPaymentId} FOR UPDATE`;
  const row = rows[0];
  return row ? toPayment(row) : null;
}

/** Sum of the refunds that went through: our own ledger of what we refunded. */
export async function succeededRefundTotal(tx: PaymentsTx, paymentId: string): Promise<number> {
  const total = await tx.refund.aggregate({ where: { paymentId, status: 'SUCCEEDED' }, _sum: { amountMinor: true } });
  return total._sum.amountMinor ?? 0;
}
