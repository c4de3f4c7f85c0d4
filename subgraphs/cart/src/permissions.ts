import { allow, isAdmin, isAuthenticated, ownerOrAdmin, rule, type ShieldRules } from '@commerce/subgraph-kit';
import type { CartContext } from './context.js';
import { cartFollowRefusal, type CartUpdatedArgs } from './service/cart-live.service.js';

/** cartUpdated: the cart access rule (read), once when the subscription starts. Rules return their errors. */
const mayFollowCart = rule({ cache: 'no_cache' })(
  async (_parent: unknown, args: CartUpdatedArgs, ctx: CartContext) => (await cartFollowRefusal(ctx, args)) ?? true,
);

/**
 * Who may call what. The kit denies every Mutation field unless it is listed
 * here. Cart mutations are open to anonymous shoppers by design: whether the
 * caller may touch *this* cart (owner, or holder of its token) depends on the
 * cart, so service/access.ts decides, for queries, mutations and Cart entity
 * references alike. mergeCart needs a signed-in user; User.cart is for the
 * user and administrators. cartUpdated applies the same access rule when the
 * subscription starts (service/cart-live.service.ts re-checks per event).
 */
export const permissions: ShieldRules = {
  Query: { '*': allow, discountCodes: isAdmin, discountCode: isAdmin, cartAuditLog: isAdmin },
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
    createDiscountCode: isAdmin,
    updateDiscountCode: isAdmin,
    deactivateDiscountCode: isAdmin,
  },
  Subscription: { cartUpdated: mayFollowCart },
  User: {
    '*': allow,
    cart: ownerOrAdmin((user: { id: string }) => user.id),
  },
};
