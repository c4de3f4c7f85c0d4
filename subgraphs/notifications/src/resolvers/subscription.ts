import { unauthenticated } from '@commerce/errors';
import type { NotificationsContext } from '../context.js';

/**
 * `notificationReceived`: the signed-in user's new in-app notifications, from
 * Redis pub/sub (channel `notifications:user:<userId>`), so any instance can
 * serve the subscription whichever instance created the notification. Only
 * `subscribe` is defined: each event is wrapped under the field name and the
 * default resolver reads it, and the field's permission rule guards
 * `subscribe` once, when the subscription starts.
 */
export const Subscription = {
  notificationReceived: {
    subscribe: async (_: unknown, __: unknown, ctx: NotificationsContext) => {
      if (!ctx.identity) throw unauthenticated();
      return ctx.live.subscribe(ctx.identity.userId, (notification) => ({ notificationReceived: notification }));
    },
  },
};
