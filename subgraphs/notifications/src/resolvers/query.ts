import type { NotificationsContext } from '../context.js';
import { getPreferences } from '../service/preferences.service.js';

export const Query = {
  notificationPreferences: (_: unknown, __: unknown, ctx: NotificationsContext) => getPreferences(ctx),
};
