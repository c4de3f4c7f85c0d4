import { allow, isAdmin, isAuthenticated, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here, so a new mutation is closed until someone opens it on purpose.
 * Reads are public: the services hide DRAFT and ARCHIVED products from
 * non-admins themselves, because that is a filter, not a yes/no. The admin
 * console's own reads (every status, price previews, the audit log) are
 * admin-only as a whole.
 */
export const permissions: ShieldRules = {
  Query: {
    '*': allow,
    adminProducts: isAdmin,
    previewBulkPriceChange: isAdmin,
    catalogAuditLog: isAdmin,
  },
  Mutation: {
    createCategory: isAdmin,
    updateCategory: isAdmin,
    createProduct: isAdmin,
    updateProduct: isAdmin,
    archiveProduct: isAdmin,
    publishProduct: isAdmin,
    restoreProduct: isAdmin,
    setVariantPrices: isAdmin,
    addProductVariant: isAdmin,
    updateProductVariant: isAdmin,
    applyBulkPriceChange: isAdmin,
    createReview: isAuthenticated,
  },
};
