/**
 * Following stock levels live (Subscription.stockLevelChanged, admin only):
 * every level published on the stock channel (data/live.ts) from the moment
 * Redis confirmed the subscription, kept when it matches the subscriber's
 * filter (a warehouse the change touched, an exact SKU). Each level
 * arrives whole in the message; its other fields (warehouses, adjustments)
 * resolve with a fresh context per event.
 */
import { badInput } from '@commerce/errors';
import type { InventoryContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { LiveStockLevel } from '../data/live.js';
import { toAvailability, type StockLevel } from './stock.service.js';

export interface StockLevelChangedArgs {
  warehouseId?: string | null;
  sku?: string | null;
}

export function toLiveStockLevelView(level: LiveStockLevel): StockLevel & { updatedAt: Date } {
  return {
    ...toAvailability({ variantId: level.variantId, onHand: level.onHand, reserved: level.reserved, threshold: level.threshold }),
    lowStockThreshold: level.threshold,
    productId: level.productId,
    sku: level.sku,
    updatedAt: new Date(level.updatedAt),
  };
}

export async function followStockLevels(ctx: InventoryContext, args: StockLevelChangedArgs): Promise<AsyncIterableIterator<StockLevel>> {
  const warehouseId = args.warehouseId ?? null;
  if (warehouseId !== null && !isUuid(warehouseId)) throw badInput('"warehouseId" is not a warehouse id.', 'warehouseId');
  const wanted = warehouseId?.toLowerCase() ?? null;
  const sku = args.sku ?? null;
  const matches = (level: LiveStockLevel): boolean =>
    (wanted === null || level.warehouseIds.includes(wanted)) && (sku === null || level.sku === sku);

  const source = await ctx.live.subscribe();
  // Not a generator: return() must end a next() that waits for Redis (the source's return() resolves it as done).
  const iterator: AsyncIterableIterator<StockLevel> = {
    async next() {
      for (;;) {
        const step = await source.next();
        if (step.done) return { value: undefined, done: true };
        if (matches(step.value)) return { value: toLiveStockLevelView(step.value), done: false };
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
