import { Prisma, type NotificationsDb } from '../data/prisma.js';

/**
 * user.deleted: forgets what this service holds about the person (contact,
 * preferences, in-app inbox) and cancels what was still to be sent to them
 * (FAILED, "account deleted", content dropped). The log of deliveries already
 * sent stays: it records what we did. Returns the number of deliveries cancelled.
 */
export async function forgetUser(db: NotificationsDb, userId: string, now: Date): Promise<number> {
  await db.userContact.deleteMany({ where: { userId } });
  await db.notificationPreference.deleteMany({ where: { userId } });
  await db.notification.deleteMany({ where: { userId } });
  const cancelled = await db.delivery.updateMany({
    where: { userId, status: { in: ['PENDING', 'RETRYING'] } },
    data: { status: 'FAILED', failedAt: now, lastError: 'account deleted', content: Prisma.DbNull },
  });
  return cancelled.count;
}
