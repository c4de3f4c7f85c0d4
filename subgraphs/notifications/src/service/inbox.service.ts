import { badInput, notFound, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { NotificationsContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { Notification, Prisma } from '../data/prisma.js';

/**
 * InboxService: a user's in-app notifications. Listing is newest first with
 * keyset pagination on (createdAt, id). Marking read only ever touches the
 * caller's own notifications; someone else's is NOT_FOUND (not FORBIDDEN,
 * which would confirm it exists).
 */

export type NotificationConnection = Connection<Notification> & { totalCount: number };

const cursorOf = (n: Notification): string => encodeCursor([n.createdAt.toISOString(), n.id]);

function afterCursor(after: string): { createdAt: Date; id: string } {
  const [createdAt, id] = decodeCursor(after);
  const date = typeof createdAt === 'string' ? new Date(createdAt) : null;
  if (!date || Number.isNaN(date.getTime()) || !isUuid(id)) throw badInput('The cursor is not valid.', 'after');
  return { createdAt: date, id };
}

export async function listNotifications(
  ctx: NotificationsContext,
  userId: string,
  args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null },
): Promise<NotificationConnection> {
  const first = clampFirst(args.first);
  const cursor = args.after ? afterCursor(args.after) : null;
  if (!isUuid(userId)) return { ...toConnection([], first, cursorOf), totalCount: 0 };
  const where: Prisma.NotificationWhereInput = { userId, ...(args.unreadOnly ? { readAt: null } : {}) };
  const page: Prisma.NotificationWhereInput = cursor
    ? {
        AND: [
          where,
          { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] },
        ],
      }
    : where;
  const [rows, totalCount] = await Promise.all([
    first === 0 ? Promise.resolve([]) : ctx.prisma.notification.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first + 1 }),
    ctx.prisma.notification.count({ where }),
  ]);
  return { ...toConnection(rows, first, cursorOf), totalCount };
}

export async function unreadCount(ctx: NotificationsContext, userId: string): Promise<number> {
  if (!isUuid(userId)) return 0;
  return (await ctx.loaders.unreadCount.load(userId))?.count ?? 0;
}

const requireUser = (ctx: NotificationsContext): string => {
  // The permissions already require a signed-in caller; this keeps the service safe on its own.
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity.userId;
};

/** Marks one of the caller's notifications read (idempotent) and returns it. */
export async function markRead(ctx: NotificationsContext, id: string): Promise<Notification> {
  const userId = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Notification');
  await ctx.prisma.notification.updateMany({ where: { id, userId, readAt: null }, data: { readAt: new Date() } });
  const notification = await ctx.prisma.notification.findFirst({ where: { id, userId } });
  if (!notification) throw notFound('Notification', id);
  return notification;
}

/** Marks every unread notification of the caller read; returns how many changed. */
export async function markAllRead(ctx: NotificationsContext): Promise<number> {
  const userId = requireUser(ctx);
  const { count } = await ctx.prisma.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: new Date() } });
  return count;
}
