/**
 * Field resolvers of Cart and User. Lines and totals come from one priced
 * view per cart and request (pricing/totals.service), whose variant prices
 * are loaded in one batch for every cart in the response. CartLine and
 * CartTotals are plain objects from that view.
 */
import type { CartContext } from '../context.js';
import type { CartDoc } from '../data/cart-document.js';
import * as carts from '../service/cart.service.js';
import { priceCart } from '../service/pricing/totals.service.js';

export const CartResolvers = {
  /** Entity reference; access is checked in the service (shield does not see `_entities`). */
  __resolveReference: (reference: { id: string }, ctx: CartContext) => carts.cartReference(ctx, reference.id),
  lines: async (cart: CartDoc, _: unknown, ctx: CartContext) => (await priceCart(ctx, cart)).lines,
  savedForLater: async (cart: CartDoc, _: unknown, ctx: CartContext) => (await priceCart(ctx, cart)).savedForLater,
  totals: async (cart: CartDoc, _: unknown, ctx: CartContext) => (await priceCart(ctx, cart)).totals,
  itemCount: (cart: CartDoc) => carts.itemCount(cart),
  updatedAt: (cart: CartDoc) => new Date(cart.updatedAt),
};

export const UserResolvers = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  cart: (user: { id: string }, _: unknown, ctx: CartContext) => carts.cartOfUser(ctx, user.id),
};
