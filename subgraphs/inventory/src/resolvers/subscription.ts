import { subscriptionField } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { followStockLevels, type StockLevelChangedArgs } from '../service/stock-live.service.js';

/**
 * Subscriptions, served over graphql-ws by subgraph-kit (usually to the
 * router). `subscriptionField` leaves `resolve` out, so the admin rule in
 * permissions.ts runs once, when the subscription starts.
 */
export const Subscription = {
  stockLevelChanged: subscriptionField((_parent: unknown, args: StockLevelChangedArgs, ctx: InventoryContext) => followStockLevels(ctx, args)),
};
