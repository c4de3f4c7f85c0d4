import type { CartContext } from '../context.js';
import * as carts from '../service/cart.service.js';

/** Root queries: arguments in, service call, result out. */
export const Query = {
  cart: (_: unknown, args: { id: string; cartToken?: string | null }, ctx: CartContext) =>
    carts.findCart(ctx, args.id, args.cartToken),
  myCart: (_: unknown, _args: unknown, ctx: CartContext) => carts.myCart(ctx),
};
