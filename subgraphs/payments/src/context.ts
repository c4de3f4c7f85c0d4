import type { BaseContext } from '@commerce/subgraph-kit';
import type { PaymentsLoaders } from './data/loaders.js';
import type { PaymentsPrisma } from './data/prisma.js';

/**
 * The request context of every payments resolver: the kit's identity,
 * request id and logger, plus this request's DataLoaders. GraphQL only reads;
 * money moves in the saga (service/payment.service.ts).
 */
export interface PaymentsContext extends BaseContext {
  prisma: PaymentsPrisma;
  loaders: PaymentsLoaders;
}
