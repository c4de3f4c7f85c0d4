import { subscriptionField } from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import { followCart, type CartUpdatedArgs } from '../service/cart-live.service.js';

/**
 * Subscriptions, served over graphql-ws by subgraph-kit (usually to the
 * router). `subscriptionField` leaves `resolve` out, so the shield rule in
 * permissions.ts runs once, when the subscription starts; each event is a
 * cart document that Cart's resolvers price like a query's.
 */
export const Subscription = {
  cartUpdated: subscriptionField((_parent: unknown, args: CartUpdatedArgs, ctx: CartContext) => followCart(ctx, args)),
};
