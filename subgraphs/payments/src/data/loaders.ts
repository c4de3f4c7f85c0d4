/**
 * Per-request DataLoaders (created in createContext, so nothing is cached
 * across callers): every Order.payment of a response is one SQL statement.
 */
import { createLoader } from '@commerce/subgraph-kit';
import { isUuid } from './ids.js';
import type { Payment, PaymentsDb } from './prisma.js';

export function createLoaders(db: PaymentsDb) {
  return {
    paymentByOrderId: createLoader<string, Payment>(async (orderIds) => {
      const ids = [...new Set(orderIds.filter(isUuid))];
      return ids.length ? db.payment.findMany({ where: { orderId: { in: ids } } }) : [];
    }, (payment) => payment.orderId),
  };
}

export type PaymentsLoaders = ReturnType<typeof createLoaders>;
