import { createGroupLoader, createLoader } from '@commerce/subgraph-kit';
import type { Delivery, DeliveryAttempt, NotificationsPrisma } from './prisma.js';

/**
 * Per-request DataLoaders: many users' unread counts in one query (an admin
 * listing users); the attempts of every delivery on a page of the delivery
 * log in one query; deliveries by id (a resend's original) in one query.
 */
export interface NotificationsLoaders {
  unreadCount: ReturnType<typeof createUnreadCountLoader>;
  attemptsByDelivery: ReturnType<typeof createAttemptsLoader>;
  deliveryById: ReturnType<typeof createDeliveryLoader>;
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

function createAttemptsLoader(prisma: NotificationsPrisma) {
  return createGroupLoader<string, DeliveryAttempt>(
    (deliveryIds) => prisma.deliveryAttempt.findMany({ where: { deliveryId: { in: [...deliveryIds] } }, orderBy: [{ deliveryId: 'asc' }, { attempt: 'asc' }] }),
    (row) => row.deliveryId,
  );
}

function createDeliveryLoader(prisma: NotificationsPrisma) {
  return createLoader<string, Delivery>((ids) => prisma.delivery.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id);
}

export function createLoaders(prisma: NotificationsPrisma): NotificationsLoaders {
  return {
    unreadCount: createUnreadCountLoader(prisma),
    attemptsByDelivery: createAttemptsLoader(prisma),
    deliveryById: createDeliveryLoader(prisma),
  };
}
