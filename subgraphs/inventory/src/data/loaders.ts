/**
 * Per-request DataLoaders: entity references and stock fields for a whole
 * batch of variants (or products) cost one SQL statement. Created per
 * request in createContext, so caches never outlive a request.
 */
import DataLoader from 'dataloader';
import { isUuid } from './ids.js';
import type { InventoryDb } from './prisma.js';
import {
  DEFAULT_LOW_STOCK_THRESHOLD,
  productsInStock,
  stockOfVariants,
  warehouseStockOfVariants,
  type VariantStockRow,
  type WarehouseStockRow,
} from './queries.js';

const unknownVariant = (variantId: string): VariantStockRow => ({
  variantId,
  onHand: 0,
  reserved: 0,
  threshold: DEFAULT_LOW_STOCK_THRESHOLD,
  known: false,
});

export function createLoaders(db: InventoryDb) {
  return {
    /** Stock summed over warehouses; an unknown or malformed id has none. */
    stockByVariant: new DataLoader<string, VariantStockRow>(async (keys) => {
      const ids = [...new Set(keys.filter(isUuid))];
      const rows = new Map((await stockOfVariants(db, ids)).map((row) => [row.variantId, row]));
      return keys.map((key) => rows.get(key) ?? unknownVariant(key));
    }),
    /** Per warehouse, in allocation order. */
    warehouseStockByVariant: new DataLoader<string, WarehouseStockRow[]>(async (keys) => {
      const ids = [...new Set(keys.filter(isUuid))];
      const groups = new Map<string, WarehouseStockRow[]>();
      for (const row of await warehouseStockOfVariants(db, ids)) {
        const group = groups.get(row.variantId);
        if (group) group.push(row);
        else groups.set(row.variantId, [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    }),
    /** Any variant of the product available; false for an unknown product. */
    productInStock: new DataLoader<string, boolean>(async (keys) => {
      const found = await productsInStock(db, [...new Set(keys.filter(isUuid))]);
      return keys.map((key) => found.get(key) ?? false);
    }),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
