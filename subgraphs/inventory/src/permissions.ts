import { isAdmin, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here. Storefront stock (ProductVariant.availability / inStock,
 * Product.inStock) is public; per-warehouse numbers, the stock list and
 * every change are for admins.
 */
export const permissions: ShieldRules = {
  Query: {
    stockLevels: isAdmin,
    warehouses: isAdmin,
  },
  Mutation: {
    adjustStock: isAdmin,
    setLowStockThreshold: isAdmin,
  },
  StockAvailability: {
    warehouses: isAdmin,
  },
};
