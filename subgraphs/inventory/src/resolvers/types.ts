/**
 * Field resolvers. Entity references only carry ids; the stock behind them
 * comes from the request's DataLoaders, so N variants (or products) in one
 * `_entities` call cost one SQL statement.
 */
import type { InventoryContext } from '../context.js';
import * as stock from '../service/stock.service.js';

interface VariantRef {
  id: string;
}

export const ProductVariantResolvers = {
  /** Batched: every reference of the request goes through one stockByVariant load. */
  __resolveReference: async (reference: VariantRef, ctx: InventoryContext) => ({
    id: reference.id,
    availability: await stock.availabilityOf(ctx, reference.id),
  }),
  availability: (variant: VariantRef & { availability?: stock.Availability }, _: unknown, ctx: InventoryContext) =>
    variant.availability ?? stock.availabilityOf(ctx, variant.id),
  inStock: async (variant: VariantRef & { availability?: stock.Availability }, _: unknown, ctx: InventoryContext) =>
    (variant.availability ?? (await stock.availabilityOf(ctx, variant.id))).inStock,
};

export const ProductResolvers = {
  /** Batched: one statement answers inStock for every product of the request. */
  __resolveReference: async (reference: { id: string }, ctx: InventoryContext) => ({
    id: reference.id,
    inStock: await stock.productInStock(ctx, reference.id),
  }),
};

export const StockAvailabilityResolvers = {
  warehouses: (availability: stock.Availability, _: unknown, ctx: InventoryContext) =>
    stock.warehouseStockOf(ctx, availability.variantId),
};

export const StockLevelResolvers = {
  variant: (level: stock.StockLevel) => ({ id: level.variantId, availability: level }),
  warehouses: (level: stock.StockLevel, _: unknown, ctx: InventoryContext) => stock.warehouseStockOf(ctx, level.variantId),
};
