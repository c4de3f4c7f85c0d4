import type { PaymentsContext } from '../context.js';
import * as reads from '../service/payment-read.service.js';

export const Query = {
  payment: (_: unknown, args: { orderId: string }, ctx: PaymentsContext) => reads.paymentOfOrder(ctx, args.orderId),
};
