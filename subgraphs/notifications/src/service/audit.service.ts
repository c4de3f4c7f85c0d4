/**
 * notificationsAuditLog: the admin mutations notifications applied
 * (resendNotification), newest first. Each entry was written in the
 * transaction of its change (admin.service.ts). Admins only. The log is
 * @commerce/subgraph-kit's; notifications' own choice is that an actorId that
 * is no user id simply matches nothing, as in its delivery log.
 */
import {
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  type AuditConnection,
  type AuditLogArgs,
} from '@commerce/subgraph-kit';
import type { NotificationsContext } from '../context.js';
import { requireAdmin } from './admin.service.js';

export { recordAudit } from '@commerce/subgraph-kit';
export type { AuditLogArgs } from '@commerce/subgraph-kit';

export function notificationsAuditLog(ctx: NotificationsContext, args: AuditLogArgs): Promise<AuditConnection> {
  requireAdmin(ctx);
  return listAuditEntries(ctx.prisma, args, { malformedActorId: 'match-nothing' });
}

export const AuditEntryResolvers = auditEntryResolvers('notifications');
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
