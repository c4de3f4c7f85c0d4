import { unauthenticated } from '@commerce/errors';
import { subscriptionField } from '@commerce/subgraph-kit';
import type { NotificationsContext } from '../context.js';

/**
 * `notificationReceived`: the signed-in user's new in-app notifications, from
 * Redis pub/sub (channel `live:user:<userId>:notifications`), so any instance can
 * serve the subscription whichever instance created the notification. The
 * channel is the caller's own: nobody can listen to someone else's. Served
 * over graphql-ws by subgraph-kit; the permission rule runs once, when the
 * subscription starts.
 */
export const Subscription = {
  notificationReceived: subscriptionField((_parent: unknown, _args: unknown, ctx: NotificationsContext) => {
    if (!ctx.identity) throw unauthenticated();
    return ctx.live.subscribe(ctx.identity.userId);
  }),
};
