/**
 * How a cart change is stored, for both kinds of cart. Services describe a
 * change as a function on a draft copy; this module loads the cart, applies
 * the change, and writes the result where that kind of cart lives:
 *
 * - a signed-in user's cart: one PostgreSQL transaction locks the cart row,
 *   applies the change to the locked (durable) state, writes the durable copy
 *   and the cart's events (outbox), and — still holding the lock, just before
 *   the commit — writes the new version to Redis. Writers of one cart are thus
 *   serialized and reach Redis in version order; if the commit then fails,
 *   the Redis key is dropped so the next read reloads the committed state.
 * - an anonymous cart (Redis only): read, apply, and write back only if the
 *   version is unchanged (compare-and-set), retrying on a concurrent change;
 *   then its events go to the outbox in a transaction of their own
 *   (events/publish.ts explains what that means).
 *
 * A change that leaves the content as it was writes nothing and publishes
 * nothing. Every write refreshes the cart's TTL. Every new version goes to
 * the cart's live channel once it is committed (data/live.ts): after the
 * PostgreSQL commit for a user's cart, after the compare-and-set for an
 * anonymous one.
 */
import { AppError, ErrorCode, badInput, notFound } from '@commerce/errors';
import type { CartContext } from '../context.js';
import { bumpVersion, cartChanged, cloneCart, type CartDoc, type Currency } from '../data/cart-document.js';
import { lockCartById, lockCartOfUser, lockOrCreateCartOfUser, saveDurable, type LockedCart } from '../data/durable.js';
import { noteCartChange, transactionWithLive } from '../data/live.js';
import type { CartTx } from '../data/prisma.js';
import { publishAnonymousLineChanges, publishLineChanges } from '../events/publish.js';
import { checkCartAccess } from './access.js';

export interface ChangeScope {
  /** The cart as it was before the change. */
  base: CartDoc;
  now: Date;
  /** The transaction holding a user's cart row; null for an anonymous cart. */
  tx: CartTx | null;
}

/** Mutates the draft (a deep copy of `scope.base`) or throws an AppError to refuse. */
export type CartChange = (draft: CartDoc, scope: ChangeScope) => void | Promise<void>;

/** Which cart a mutation names: the caller's own (no cartId), or one by id (+ token when anonymous). */
export interface CartSelector {
  cartId?: string | null;
  cartToken?: string | null;
}

export interface UserCartTarget {
  userId: string;
  /** A specific cart of the user; otherwise the user's cart, whatever its id. */
  cartId?: string;
  /** Create the user's cart in this currency when they have none. */
  createIn?: Currency;
}

const ANONYMOUS_CAS_ATTEMPTS = 10;

/** A short random pause before retrying a lost compare-and-set, so racing writers spread out. */
const jitter = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5 * attempt)));

/** Changes a signed-in user's cart (see the module comment). NOT_FOUND when it does not exist and may not be created. */
export async function changeUserCart(ctx: CartContext, target: UserCartTarget, change: CartChange): Promise<CartDoc> {
  const state: { wroteRedis: CartDoc | null } = { wroteRedis: null };
  try {
    const cart = await transactionWithLive(ctx.prisma, ctx.live, async (tx) => {
      const now = new Date();
      let locked: LockedCart | null;
      let created = false;
      if (target.cartId) locked = await lockCartById(tx, target.cartId, now);
      else if (target.createIn) ({ locked, created } = await lockOrCreateCartOfUser(tx, target.userId, target.createIn, now));
      else locked = await lockCartOfUser(tx, target.userId, now);
      if (!locked || locked.cart.userId !== target.userId) throw notFound('Cart');
      const base = locked.cart;

      const draft = cloneCart(base);
      await change(draft, { base, now, tx });
      if (!cartChanged(base, draft)) {
        if (created) {
          state.wroteRedis = base;
          await ctx.store.put(base, { mode: 'newer' });
        }
        return base;
      }
      bumpVersion(draft, base, now);
      await saveDurable(tx, locked, draft);
      await publishLineChanges(tx, base, draft, ctx.traceContext);
      state.wroteRedis = draft;
      await ctx.store.put(draft, { mode: 'newer' });
      noteCartChange(tx, draft);
      return draft;
    });
    ctx.loaders.cartById.clear(cart.id).prime(cart.id, cart);
    return cart;
  } catch (error) {
    const written = state.wroteRedis;
    if (written) {
      // The commit did not happen: drop what Redis got, the next read reloads the committed state.
      await ctx.store.delete(written).catch((cause: unknown) => {
        ctx.logger.error({ err: cause, cartId: written.id }, 'could not drop an uncommitted cart version from Redis');
      });
    }
    throw error;
  }
}

/** Changes an anonymous cart (compare-and-set on its Redis version, retried on a concurrent change). */
export async function changeAnonymousCart(
  ctx: CartContext,
  cartId: string,
  cartToken: string | null | undefined,
  change: CartChange,
): Promise<CartDoc> {
  for (let attempt = 1; attempt <= ANONYMOUS_CAS_ATTEMPTS; attempt++) {
    const now = new Date();
    const base = await ctx.store.get(cartId);
    if (!base || base.userId) throw notFound('Cart', cartId);
    checkCartAccess(ctx, base, cartToken, 'write');
    const draft = cloneCart(base);
    await change(draft, { base, now, tx: null });
    if (!cartChanged(base, draft)) return base;
    bumpVersion(draft, base, now);
    const result = await ctx.store.put(draft, { mode: 'cas', expectedVersion: base.version });
    if (result === 'gone') throw notFound('Cart', cartId);
    if (result === 'conflict') {
      await jitter(attempt);
      continue;
    }
    // The compare-and-set is the commit of an anonymous cart: subscribers first, then the outbox.
    await ctx.live?.publishCart(draft);
    await publishAnonymousLineChanges(ctx.prisma, base, draft, ctx.traceContext, ctx.logger);
    ctx.loaders.cartById.clear(draft.id).prime(draft.id, draft);
    return draft;
  }
  throw new AppError(ErrorCode.CONFLICT, 'The cart kept changing during this update. Please try again.');
}

/**
 * The entry point of every cart mutation: finds the cart the selector names,
 * checks the caller may change it, and applies the change where that cart
 * lives. Without a cartId a signed-in caller means their own cart (created in
 * `createIn` when given); an anonymous caller must name the cart.
 */
export async function changeCart(
  ctx: CartContext,
  selector: CartSelector,
  change: CartChange,
  options: { createIn?: Currency } = {},
): Promise<CartDoc> {
  if (selector.cartId == null) {
    if (!ctx.identity) throw badInput('An anonymous cart is reached with its cartId and cartToken.', 'cartId');
    return changeUserCart(ctx, { userId: ctx.identity.userId, createIn: options.createIn }, change);
  }
  const cart = await ctx.loaders.cartById.load(selector.cartId);
  if (!cart) throw notFound('Cart', selector.cartId);
  checkCartAccess(ctx, cart, selector.cartToken, 'write');
  if (cart.userId) return changeUserCart(ctx, { userId: cart.userId, cartId: cart.id }, change);
  return changeAnonymousCart(ctx, cart.id, selector.cartToken, change);
}
