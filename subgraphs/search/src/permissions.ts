import { allow, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Search is public and read-only: the read model holds only what the
 * storefront may see (queries filter to ACTIVE products), so there is
 * nothing to guard. Mutations stay deny-by-default in the kit.
 */
export const permissions: ShieldRules = {
  Query: { '*': allow },
};
