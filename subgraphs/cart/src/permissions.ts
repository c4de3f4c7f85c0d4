import { allow, isAuthenticated, ownerOrAdmin, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may call what. The kit denies every Mutation field unless it is listed
 * here. Cart mutations are open to anonymous shoppers by design: whether the
 * caller may touch *this* cart (owner, or holder of its token) depends on the
 * cart, so service/access.ts decides, for queries, mutations and Cart entity
 * references alike. mergeCart needs a signed-in user; User.cart is for the
 * user and administrators.
 */
export const permissions: ShieldRules = {
  Query: { '*': allow },
  Mutation: {
    createCart: allow,
    addCartLine: allow,
    updateCartLineQuantity: allow,
    removeCartLine: allow,
    applyDiscountCode: allow,
    removeDiscountCode: allow,
    saveCartLineForLater: allow,
    moveSavedLineToCart: allow,
    setCartCurrency: allow,
    mergeCart: isAuthenticated,
  },
  User: {
    '*': allow,
    cart: ownerOrAdmin((user: { id: string }) => user.id),
  },
};
