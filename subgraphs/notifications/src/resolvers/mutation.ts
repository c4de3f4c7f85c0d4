import type { NotificationsContext } from '../context.js';
import { markAllRead, markRead } from '../service/inbox.service.js';
import { updatePreferences } from '../service/preferences.service.js';

export const Mutation = {
  markNotificationRead: (_: unknown, { input }: { input: { id: string } }, ctx: NotificationsContext) => markRead(ctx, input.id),
  markAllNotificationsRead: async (_: unknown, __: unknown, ctx: NotificationsContext) => ({ updatedCount: await markAllRead(ctx) }),
  updateNotificationPreferences: (_: unknown, { input }: { input: unknown }, ctx: NotificationsContext) => updatePreferences(ctx, input),
};
