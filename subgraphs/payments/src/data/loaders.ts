/**
 * Per-request DataLoaders (created in createContext, so nothing is cached
 * across callers): every Order.payment of a response is one SQL statement.
 */
import { createGroupLoader, createLoader } from '@commerce/subgraph-kit';
import { isUuid } from './ids.js';
import type { Payment, PaymentsDb, Refund } from './prisma.js';

export function createLoaders(db: PaymentsDb) {
  return {
    paymentByOrderId: createLoader<string, Payment>(async (orderIds) => {
      const ids = [...new Set(orderIds.filter(isUuid))];
      return ids.length ? db.payment.findMany({ where: { orderId: { in: ids } } }) : [];
    }, (payment) => payment.orderId),
    /** Every refund attempt of the payments of a response, oldest first: one statement. */
    refundsByPaymentId: createGroupLoader<string, Refund>(
      (paymentIds) =>
        db.refund.findMany({ where: { paymentId: { in: [...new Set(paymentIds)] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (refund) => refund.paymentId,
    ),
  };
}

export type PaymentsLoaders = ReturnType<typeof createLoaders>;
