import { isAdmin, rule, type ShieldRules } from '@commerce/subgraph-kit';
import { forbidden, unauthenticated } from '@commerce/errors';
import { isAdmin as identityIsAdmin } from '@commerce/auth';
import type { PaymentsContext } from './context.js';

/**
 * Order.payment: the order's owner or an admin. Payments knows the owner from
 * order.placed (payments.user_id). The router reaches this field through
 * `_entities`, which shield never guards, so the rule sits on the field itself.
 * No payment yet → allowed (the field resolves to null; nothing to hide).
 */
export const orderPaymentOwnerOrAdmin = rule({ cache: 'no_cache' })(async (order: { id: string }, _args: unknown, ctx: PaymentsContext) => {
  if (!ctx.identity) return unauthenticated();
  if (identityIsAdmin(ctx.identity)) return true;
  const payment = await ctx.loaders.paymentByOrderId.load(order.id);
  if (!payment?.userId) return true;
  return payment.userId === ctx.identity.userId ? true : forbidden();
});

/** Reads only; there are no mutations (money moves through the saga). */
export const permissions: ShieldRules = {
  Query: { payment: isAdmin },
  Order: { payment: orderPaymentOwnerOrAdmin },
};
