import { subscriptionField } from '@commerce/subgraph-kit';
import type { OrdersContext } from '../context.js';
import { followOrderFeed } from '../service/order-feed.service.js';
import { followOrder } from '../service/order-live.service.js';

/**
 * Subscriptions, served over graphql-ws by subgraph-kit (usually to the
 * router). `subscriptionField` leaves `resolve` out, so the shield rule in
 * permissions.ts runs once, when the subscription starts.
 */
export const Subscription = {
  orderStatusChanged: subscriptionField((_parent: unknown, args: { orderId: string; email?: string | null }, ctx: OrdersContext) =>
    followOrder(ctx, args.orderId, args.email ?? null),
  ),
  orderEvents: subscriptionField((_parent: unknown, _args: unknown, ctx: OrdersContext) => followOrderFeed(ctx)),
};
