/**
 * The admin console's side of notifications: the delivery log (every
 * delivery with its attempts, retries and failures), resending a delivery,
 * previewing a template with a real order; each admin mutation
 * (resendNotification) is recorded in the audit log (audit.service.ts). Admins only: permissions.ts says so, and
 * every function here checks again.
 *
 * A resend is a new delivery row (same type, channel, recipient and stored
 * content; `resend_of_id` names the original, `requested_by` the admin) that
 * the dispatcher sends like any other: the same claim, channel, retries and
 * attempt log. It is written in one transaction with its audit entry and a
 * pg_notify that wakes the dispatchers. Messages that carry a credential
 * (password reset, email-change confirmation) are never resent: their content
 * is dropped once final, and an old link should not be sent again; the user
 * asks for a new one. Nor is anything resent to a deleted account (its contact
 * is gone: user.deleted).
 *
 * Template previews render from notifications' own read model of orders
 * (order_snapshots, built from order.placed: lines, totals, number, email) and
 * of users (user_contacts, for the greeting); notifications never reads the
 * orders database. Non-order templates render with sample data.
 */
import { randomUUID } from 'node:crypto';
import { badInput, forbidden, notFound, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { NotificationsContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { ChannelKind, Delivery, DeliveryStatus, NotificationType, Prisma } from '../data/prisma.js';
import { renderNotification, type RenderedNotification } from '../templates/index.js';
import { recordAudit } from './audit.service.js';
import { DELIVERIES_NOTIFY_CHANNEL } from './delivery.service.js';
import { contactOf, orderSummaryOf } from './read-models.service.js';

export type Connected<T> = Connection<T> & { totalCount: number };

export interface DeliveryFilter {
  channel?: ChannelKind | null;
  status?: DeliveryStatus | null;
  type?: NotificationType | null;
  /** Exact recipient: an email address (any case), a phone number or a user id. */
  recipient?: string | null;
  userId?: string | null;
  orderId?: string | null;
}

/** Types whose message is a credential: never resent. */
const CREDENTIAL_TYPES: ReadonlySet<NotificationType> = new Set<NotificationType>(['PASSWORD_RESET', 'EMAIL_CHANGE_CONFIRMATION']);
const ORDER_TYPES: ReadonlySet<NotificationType> = new Set<NotificationType>([
  'ORDER_CONFIRMED',
  'PAYMENT_FAILED',
  'ORDER_SHIPPED',
  'ORDER_DELIVERED',
  'ORDER_REFUNDED',
]);

export function requireAdmin(ctx: NotificationsContext): string {
  if (!ctx.identity) throw unauthenticated();
  if (!ctx.identity.roles.includes('ADMIN')) throw forbidden();
  return ctx.identity.userId;
}

/** Keyset cursor of a (timestamp, uuid) list, newest first. */
function decodeAfter(after: string | null | undefined): { at: Date; id: string } | null {
  if (!after) return null;
  const [at, id] = decodeCursor(after);
  const date = typeof at === 'string' ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id)) throw badInput('The cursor is not valid.', 'after');
  return { at: date, id };
}

const deliveryCursor = (row: Delivery): string => encodeCursor([row.createdAt.toISOString(), row.id]);

export async function notificationDeliveries(
  ctx: NotificationsContext,
  args: { first?: number | null; after?: string | null; filter?: DeliveryFilter | null },
): Promise<Connected<Delivery>> {
  requireAdmin(ctx);
  const first = clampFirst(args.first);
  const after = decodeAfter(args.after);
  const filter = args.filter ?? {};
  const empty = (): Connected<Delivery> => ({ ...toConnection([], first, deliveryCursor), totalCount: 0 });
  if ((filter.userId && !isUuid(filter.userId)) || (filter.orderId && !isUuid(filter.orderId))) return empty();
  const where: Prisma.DeliveryWhereInput = {};
  if (filter.channel) where.channel = filter.channel;
  if (filter.status) where.status = filter.status;
  if (filter.type) where.type = filter.type;
  if (filter.userId) where.userId = filter.userId;
  if (filter.orderId) where.orderId = filter.orderId;
  const recipient = filter.recipient?.trim();
  // Email addresses are stored lower case; phone numbers and user ids have no case.
  if (recipient) where.recipient = recipient.includes('@') ? recipient.toLowerCase() : recipient;
  const page: Prisma.DeliveryWhereInput = after
    ? { AND: [where, { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] }
    : where;
  const [rows, totalCount] = await Promise.all([
    first === 0 ? Promise.resolve([]) : ctx.prisma.delivery.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first + 1 }),
    ctx.prisma.delivery.count({ where }),
  ]);
  return { ...toConnection(rows, first, deliveryCursor), totalCount };
}

export async function notificationDelivery(ctx: NotificationsContext, id: string): Promise<Delivery | null> {
  requireAdmin(ctx);
  return isUuid(id) ? ctx.loaders.deliveryById.load(id) : null;
}

/** Queues a new attempt of a delivery (see the top of this file). NOT_FOUND, BAD_USER_INPUT (credential message, no content kept). */
export async function resendNotification(ctx: NotificationsContext, input: { deliveryId: string }): Promise<Delivery> {
  const actorId = requireAdmin(ctx);
  if (!isUuid(input.deliveryId)) throw notFound('NotificationDelivery', input.deliveryId);
  const created = await ctx.prisma.$transaction(async (tx) => {
    const original = await tx.delivery.findUnique({ where: { id: input.deliveryId } });
    if (!original) throw notFound('NotificationDelivery', input.deliveryId);
    if (CREDENTIAL_TYPES.has(original.type)) {
      throw badInput('This message carries a one-time link and cannot be resent; the customer can ask for a new one.', 'deliveryId');
    }
    if (original.content === null) throw badInput('The content of this message was not kept; it cannot be resent.', 'deliveryId');
    // Contacts are only ever removed by user.deleted: an account's delivery whose contact is gone
    // was for a deleted account (or one this service never knew, which only push/in-app could reach).
    if (original.userId && !(await tx.userContact.findUnique({ where: { userId: original.userId } }))) {
      throw badInput("The recipient's account no longer exists here; nothing is resent.", 'deliveryId');
    }
    const row = await tx.delivery.create({
      data: {
        eventId: randomUUID(),
        eventType: 'admin.resend',
        type: original.type,
        channel: original.channel,
        recipient: original.recipient,
        userId: original.userId,
        orderId: original.orderId,
        content: original.content,
        resendOfId: original.id,
        requestedBy: actorId,
      },
    });
    await recordAudit(tx, actorId, 'resendNotification', {
      targetType: 'NotificationDelivery',
      targetId: original.id,
      changes: { input: { deliveryId: original.id }, newDeliveryId: row.id, channel: row.channel, recipient: row.recipient, type: row.type },
    });
    await tx.$executeRawUnsafe(`SELECT pg_notify('${DELIVERIES_NOTIFY_CHANNEL}', '')`);
    return row;
  });
  ctx.wakeDispatcher?.();
  ctx.logger.info({ deliveryId: created.id, resendOf: input.deliveryId, actorId }, 'notification resend queued');
  return created;
}

export interface TemplatePreview extends RenderedNotification {
  template: NotificationType;
  /** The order rendered; null for templates that are not about an order. */
  orderId: string | null;
}

/**
 * A template rendered as it would be sent. Order templates need an order that
 * notifications knows (order.placed seen): `orderId`, or the most recently
 * placed one when left out; NOT_FOUND otherwise. Other templates use sample data.
 */
export async function notificationTemplatePreview(
  ctx: NotificationsContext,
  args: { template: NotificationType; orderId?: string | null },
): Promise<TemplatePreview> {
  requireAdmin(ctx);
  const base = ctx.storefrontUrl;
  const sampleName = 'Alex Example';
  const later = new Date(Date.now() + 60 * 60 * 1000);
  if (!ORDER_TYPES.has(args.template)) {
    let rendered: RenderedNotification;
    switch (args.template) {
      case 'WELCOME':
        rendered = renderNotification({ type: 'WELCOME', data: { name: sampleName, storefrontUrl: base } });
        break;
      case 'PASSWORD_RESET':
        rendered = renderNotification({ type: 'PASSWORD_RESET', data: { name: sampleName, resetUrl: `${base}/reset-password?token=PREVIEW`, expiresAt: later } });
        break;
      case 'EMAIL_CHANGE_CONFIRMATION':
        rendered = renderNotification({
          type: 'EMAIL_CHANGE_CONFIRMATION',
          data: { name: sampleName, newEmail: 'alex@example.com', confirmUrl: `${base}/account/confirm-email?token=PREVIEW`, expiresAt: later },
        });
        break;
      default:
        rendered = renderNotification({ type: 'EMAIL_CHANGED', data: { name: sampleName, newEmail: 'alex@example.com', accountUrl: `${base}/sign-in` } });
    }
    return { ...rendered, template: args.template, orderId: null };
  }

  if (args.orderId && !isUuid(args.orderId)) throw notFound('Order', args.orderId);
  const snapshot = args.orderId
    ? await ctx.prisma.orderSnapshot.findUnique({ where: { orderId: args.orderId } })
    : await ctx.prisma.orderSnapshot.findFirst({ orderBy: { placedAt: 'desc' } });
  if (!snapshot) throw notFound('Order', args.orderId ?? undefined);
  const [summary, contact] = await Promise.all([
    orderSummaryOf(ctx.prisma, snapshot.orderId),
    snapshot.userId ? contactOf(ctx.prisma, snapshot.userId) : Promise.resolve(null),
  ]);
  // As the event handlers link: an account's order page, or the guest order lookup.
  const orderUrl = snapshot.userId
    ? `${base}/orders/${encodeURIComponent(snapshot.orderId)}`
    : snapshot.orderNumber
      ? `${base}/order-lookup?number=${encodeURIComponent(snapshot.orderNumber)}`
      : `${base}/order-lookup`;
  const data = { name: contact?.name ?? null, orderId: snapshot.orderId, orderNumber: snapshot.orderNumber, orderUrl, order: summary };
  // A refund previews as the default one an admin issues: everything paid, in full.
  const fullRefund = { amountMinor: snapshot.totalMinor, currency: snapshot.currency, full: true };
  const rendered =
    args.template === 'PAYMENT_FAILED'
      ? renderNotification({ type: 'PAYMENT_FAILED', data: { ...data, reason: 'The card was declined.' } })
      : args.template === 'ORDER_REFUNDED'
        ? renderNotification({ type: 'ORDER_REFUNDED', data: { ...data, refund: fullRefund } })
        : renderNotification({ type: args.template as 'ORDER_CONFIRMED' | 'ORDER_SHIPPED' | 'ORDER_DELIVERED', data });
  return { ...rendered, template: args.template, orderId: snapshot.orderId };
}
