import { createLoader } from '@commerce/subgraph-kit';
import type { NotificationsPrisma } from './prisma.js';

/** Per-request DataLoaders: many users' unread counts in one query (an admin listing users). */
export interface NotificationsLoaders {
  unreadCount: ReturnType<typeof createUnreadCountLoader>;
}

function createUnreadCountLoader(prisma: NotificationsPrisma) {
  return createLoader(
    async (userIds: readonly string[]) =>
      (
        await prisma.notification.groupBy({
          by: ['userId'],
          where: { userId: { in: [...userIds] }, readAt: null },
          _count: { _all: true },
        })
      ).map((row) => ({ userId: row.userId, count: row._count._all })),
    (row) => row.userId,
  );
}

export function createLoaders(prisma: NotificationsPrisma): NotificationsLoaders {
  return { unreadCount: createUnreadCountLoader(prisma) };
}
