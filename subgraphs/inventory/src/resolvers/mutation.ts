import type { InventoryContext } from '../context.js';
import * as stock from '../service/stock.service.js';

/** Mutations; who may call each one is in permissions.ts. */
export const Mutation = {
  adjustStock: (_: unknown, args: { input: stock.AdjustStockInput }, ctx: InventoryContext) => stock.adjustStock(ctx, args.input),
  setLowStockThreshold: (_: unknown, args: { input: stock.SetLowStockThresholdInput }, ctx: InventoryContext) =>
    stock.setLowStockThreshold(ctx, args.input),
};
