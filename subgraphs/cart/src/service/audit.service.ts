/**
 * cartAuditLog: the admin mutations the cart applied (discount codes), newest
 * first. Each entry was written in the transaction of its change
 * (discount-admin.service.ts). Admins only. The log is
 * @commerce/subgraph-kit's; the cart's own choice is that an actorId that is
 * no user id simply matches nothing.
 */
import {
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  type AuditConnection,
  type AuditLogArgs,
} from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import { requireAdmin } from './discount-admin.service.js';

export { recordAudit } from '@commerce/subgraph-kit';
export type { AuditLogArgs } from '@commerce/subgraph-kit';

export function cartAuditLog(ctx: CartContext, args: AuditLogArgs): Promise<AuditConnection> {
  requireAdmin(ctx);
  return listAuditEntries(ctx.prisma, args, { malformedActorId: 'match-nothing' });
}

export const AuditEntryResolvers = auditEntryResolvers('cart');
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
