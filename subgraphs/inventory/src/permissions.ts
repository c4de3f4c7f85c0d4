import { isAdmin, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here. Storefront stock (ProductVariant.availability / inStock,
 * Product.inStock) is public; per-warehouse numbers, the stock list and
 * every change, the ledger, reservations, the audit log and the live
 * stock feed are for admins.
 */
export const permissions: ShieldRules = {
  Query: {
    stockLevels: isAdmin,
    stockLevel: isAdmin,
    warehouses: isAdmin,
    stockReservations: isAdmin,
    inventoryAuditLog: isAdmin,
  },
  Subscription: {
    stockLevelChanged: isAdmin,
  },
  Mutation: {
    adjustStock: isAdmin,
    setLowStockThreshold: isAdmin,
  },
  StockAvailability: {
    warehouses: isAdmin,
  },
  // Reachable only through admin-only roots today; guarded anyway, as the
  // kit does not stop a future root from returning a StockLevel.
  StockLevel: {
    adjustments: isAdmin,
  },
};
