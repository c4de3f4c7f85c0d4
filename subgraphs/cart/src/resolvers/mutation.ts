import type { CartContext } from '../context.js';
import * as carts from '../service/cart.service.js';
import type { CartSelector } from '../service/cart-writer.js';
import * as merges from '../service/merge.service.js';

type Input<T> = { input: T };

/** Mutations; who may call each one is in permissions.ts (and the access rule in service/access.ts). */
export const Mutation = {
  createCart: (_: unknown, args: { input?: carts.CreateCartInput | null }, ctx: CartContext) =>
    carts.createCart(ctx, args.input),
  addCartLine: (_: unknown, args: Input<carts.AddCartLineInput>, ctx: CartContext) => carts.addCartLine(ctx, args.input),
  updateCartLineQuantity: (_: unknown, args: Input<carts.UpdateCartLineQuantityInput>, ctx: CartContext) =>
    carts.updateCartLineQuantity(ctx, args.input),
  removeCartLine: (_: unknown, args: Input<carts.LineInput>, ctx: CartContext) => carts.removeCartLine(ctx, args.input),
  applyDiscountCode: (_: unknown, args: Input<carts.ApplyDiscountCodeInput>, ctx: CartContext) =>
    carts.applyDiscountCode(ctx, args.input),
  removeDiscountCode: (_: unknown, args: Input<CartSelector>, ctx: CartContext) => carts.removeDiscountCode(ctx, args.input),
  saveCartLineForLater: (_: unknown, args: Input<carts.LineInput>, ctx: CartContext) =>
    carts.saveCartLineForLater(ctx, args.input),
  moveSavedLineToCart: (_: unknown, args: Input<carts.LineInput>, ctx: CartContext) =>
    carts.moveSavedLineToCart(ctx, args.input),
  setCartCurrency: (_: unknown, args: Input<carts.SetCartCurrencyInput>, ctx: CartContext) =>
    carts.setCartCurrency(ctx, args.input),
  mergeCart: async (_: unknown, args: Input<merges.MergeCartInput>, ctx: CartContext): Promise<carts.CartPayload> => ({
    cart: await merges.mergeCart(ctx, args.input),
    cartToken: null,
  }),
};
