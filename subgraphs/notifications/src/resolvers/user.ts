import type { NotificationsContext } from '../context.js';
import { listNotifications, unreadCount } from '../service/inbox.service.js';

/** The User entity's notification fields. Who may read them is in permissions.ts (owner or admin). */
interface UserRef {
  id: string;
}

export const User = {
  __resolveReference: (ref: UserRef): UserRef => ({ id: ref.id }),
  notifications: (user: UserRef, args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null }, ctx: NotificationsContext) =>
    listNotifications(ctx, user.id, args),
  unreadNotificationCount: (user: UserRef, _: unknown, ctx: NotificationsContext) => unreadCount(ctx, user.id),
};

/** `read` is derived; the other fields are columns (Prisma rows) or JSON fields (live notifications). */
export const Notification = {
  read: (notification: { readAt: Date | string | null }) => notification.readAt !== null,
};
