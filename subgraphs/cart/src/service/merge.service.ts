/**
 * Merging an anonymous cart into the signed-in user's cart, for the moment
 * a shopper signs in with a cart already filled.
 *
 * - Nothing lost, nothing doubled: every line of the anonymous cart lands
 *   in the user's cart; the same variant adds up, capped at 99 per line
 *   (lines.mergeInto); saved-for-later lines merge the same way. A discount
 *   code comes along when the user's cart has none.
 * - Once only: the merge is recorded (cart_merges, keyed by the anonymous
 *   cart id) in the transaction that writes the user's cart. A repeat — or a
 *   concurrent duplicate, which waits on that key — finds the record and
 *   changes nothing; after the merge the anonymous cart is deleted, and a
 *   repeat with the same token still answers with the user's cart.
 * - The caller must hold the anonymous cart's token.
 */
import { forbidden, notFound, unauthenticated } from '@commerce/errors';
import type { CartContext } from '../context.js';
import type { CartDoc } from '../data/cart-document.js';
import { isUuid } from '../data/ids.js';
import { checkCartAccess } from './access.js';
import { tokenMatches } from './cart-token.js';
import { changeUserCart } from './cart-writer.js';
import { mergeInto } from './lines.js';

export interface MergeCartInput {
  cartId: string;
  cartToken: string;
}

export async function mergeCart(ctx: CartContext, input: MergeCartInput): Promise<CartDoc> {
  if (!ctx.identity) throw unauthenticated();
  const userId = ctx.identity.userId;
  if (!isUuid(input.cartId)) throw notFound('Cart', input.cartId);

  // Anonymous carts live only in Redis.
  const source = await ctx.store.get(input.cartId);
  if (!source) return repeatedMerge(ctx, userId, input);
  if (source.userId) {
    if (source.userId === userId) return source;
    throw forbidden('This cart belongs to someone else.');
  }
  checkCartAccess(ctx, source, input.cartToken, 'write');
  const tokenHash = source.tokenHash ?? '';

  const merged = await changeUserCart(ctx, { userId, createIn: source.currency }, async (draft, { tx, now }) => {
    if (!tx) throw new Error('A user cart change runs in a transaction');
    const claim = await tx.cartMerge.createMany({
      data: [{ anonymousCartId: source.id, userId, userCartId: draft.id, tokenHash }],
      skipDuplicates: true,
    });
    if (claim.count === 0) return; // merged already, by a repeat that got here first
    mergeInto(draft, source, now);
    if (!draft.discountCode && source.discountCode) draft.discountCode = source.discountCode;
  });

  await ctx.store.delete(source).catch((error: unknown) => {
    // Harmless: the merge record makes a repeat a no-op, and the key expires within 24 h.
    ctx.logger.warn({ err: error, cartId: source.id }, 'merged anonymous cart could not be deleted from Redis');
  });
  // Its live subscribers are told it is gone (their subscription ends with FORBIDDEN, reason CART_MERGED).
  await ctx.live?.publishMerged(source.id);
  ctx.loaders.cartById.clear(source.id);
  return merged;
}

/** The anonymous cart is gone: a repeat of a merge already done (same user, same token) returns the user's cart. */
async function repeatedMerge(ctx: CartContext, userId: string, input: MergeCartInput): Promise<CartDoc> {
  const record = await ctx.prisma.cartMerge.findUnique({ where: { anonymousCartId: input.cartId } });
  if (record && tokenMatches(input.cartToken, record.tokenHash)) {
    if (record.userId !== userId) throw forbidden('This cart was merged into another account.');
    const cart = await ctx.loaders.cartByUser.load(userId);
    if (cart) return cart;
  }
  // The id of a user's cart (durable copy): merging your own cart is a no-op.
  const cart = await ctx.loaders.cartById.load(input.cartId);
  if (cart?.userId === userId) return cart;
  if (cart) throw forbidden('This cart belongs to someone else.');
  throw notFound('Cart', input.cartId);
}
