/**
 * Admin fields: the delivery log, resend, template previews and the audit
 * log. Thin: arguments in, service call, result out. Who may call them is in
 * permissions.ts (ADMIN); the service checks again.
 */
import type { NotificationsContext } from '../context.js';
import type { Delivery } from '../data/prisma.js';
import * as admin from '../service/admin.service.js';
import * as audit from '../service/audit.service.js';

type Page = { first?: number | null; after?: string | null };

export const AdminQuery = {
  notificationDeliveries: (_: unknown, args: Page & { filter?: admin.DeliveryFilter | null }, ctx: NotificationsContext) =>
    admin.notificationDeliveries(ctx, args),
  notificationDelivery: (_: unknown, args: { id: string }, ctx: NotificationsContext) => admin.notificationDelivery(ctx, args.id),
  notificationTemplatePreview: (_: unknown, args: Parameters<typeof admin.notificationTemplatePreview>[1], ctx: NotificationsContext) =>
    admin.notificationTemplatePreview(ctx, args),
  notificationsAuditLog: (_: unknown, args: audit.AuditLogArgs, ctx: NotificationsContext) => audit.notificationsAuditLog(ctx, args),
};

export const AdminMutation = {
  resendNotification: (_: unknown, args: { input: { deliveryId: string } }, ctx: NotificationsContext) => admin.resendNotification(ctx, args.input),
};

/** What a delivery shows of its stored content: the email subject, the push/in-app title, or the SMS text. */
function summaryOf(content: unknown): string | null {
  if (typeof content !== 'object' || content === null) return null;
  const record = content as Record<string, unknown>;
  for (const key of ['subject', 'title', 'text']) {
    if (typeof record[key] === 'string') return record[key];
  }
  return null;
}

export const NotificationDelivery = {
  user: (row: Delivery) => (row.userId ? { id: row.userId } : null),
  summary: (row: Delivery) => summaryOf(row.content),
  resendOf: (row: Delivery, _: unknown, ctx: NotificationsContext) => (row.resendOfId ? ctx.loaders.deliveryById.load(row.resendOfId) : null),
  attemptLog: (row: Delivery, _: unknown, ctx: NotificationsContext) => ctx.loaders.attemptsByDelivery.load(row.id),
};

export const AuditEntryResolvers = audit.AuditEntryResolvers;
export const AuditEntryConnectionResolvers = audit.AuditEntryConnectionResolvers;
