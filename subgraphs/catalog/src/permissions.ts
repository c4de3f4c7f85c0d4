import { allow, isAdmin, isAuthenticated, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here, so a new mutation is closed until someone opens it on purpose.
 * Reads are public: the services hide DRAFT and ARCHIVED products from
 * non-admins themselves, because that is a filter, not a yes/no.
 */
export const permissions: ShieldRules = {
  Query: { '*': allow },
  Mutation: {
    createCategory: isAdmin,
    createProduct: isAdmin,
    updateProduct: isAdmin,
    archiveProduct: isAdmin,
    setVariantPrices: isAdmin,
    createReview: isAuthenticated,
  },
};
