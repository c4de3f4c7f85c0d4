/**
 * Following a cart live (Subscription.cartUpdated).
 *
 * What a subscriber gets: first the cart as it is when the subscription
 * starts (no race between a read and the subscription, and a re-subscription
 * after a reconnect starts from the truth), then the cart after each
 * committed change, newest version only (a cart is state: an older version
 * arriving late is skipped). Prices are read when each event is resolved, as
 * for a query.
 *
 * Access is the cart rule (service/access.ts, read mode): the owner of a
 * user's cart, the holder of an anonymous cart's token, or an admin —
 * checked when the subscription starts (permissions.ts: NOT_FOUND for an
 * unknown cart, FORBIDDEN / UNAUTHENTICATED otherwise) and again on the
 * state read after Redis confirmed the subscription. The subscription ends
 * with FORBIDDEN when the cart leaves the subscriber's reach:
 * - merged into a signed-in user's cart (`extensions.reason: CART_MERGED`):
 *   the anonymous cart no longer exists; follow the user's cart instead;
 * - a new version the subscriber may not see (owner changed; cannot happen
 *   today, checked per event from the message, no I/O).
 * A user's cart that checkout emptied stays that user's cart: the emptied
 * cart is an ordinary event and the stream goes on. Carts that expire
 * publish nothing; their subscriptions simply stay quiet.
 */
import { isAdmin } from '@commerce/auth';
import { AppError, ErrorCode, notFound } from '@commerce/errors';
import type { LiveIterator } from '@commerce/live';
import type { CartContext } from '../context.js';
import type { CartDoc } from '../data/cart-document.js';
import { isUuid } from '../data/ids.js';
import type { LiveCartMessage } from '../data/live.js';
import { readCarts } from '../data/loaders.js';
import { checkCartAccess } from './access.js';

export interface CartUpdatedArgs {
  cartId: string;
  cartToken?: string | null;
}

const merged = (): AppError =>
  new AppError(ErrorCode.FORBIDDEN, 'This cart was merged into a signed-in shopper’s cart and no longer exists; follow that cart instead.', {
    details: { reason: 'CART_MERGED' },
  });

const outOfReach = (): AppError =>
  new AppError(ErrorCode.FORBIDDEN, 'This cart is no longer within your reach.', { details: { reason: 'CART_OUT_OF_REACH' } });

/** The cart as it is now, read past every cache. */
async function currentCart(ctx: CartContext, cartId: string): Promise<CartDoc | null> {
  if (!isUuid(cartId)) return null;
  const [cart] = await readCarts(ctx.store, ctx.prisma, [cartId]);
  return cart ?? null;
}

/**
 * The subscribe-time check (permissions.ts): null when the caller may follow
 * the cart, else the error to refuse with (rules return errors).
 */
export async function cartFollowRefusal(ctx: CartContext, args: CartUpdatedArgs): Promise<AppError | null> {
  const cart = await currentCart(ctx, args.cartId);
  if (!cart) return notFound('Cart', args.cartId);
  try {
    checkCartAccess(ctx, cart, args.cartToken, 'read');
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

/** The cart's live states for the subscriber (see the top of this file). */
export async function followCart(ctx: CartContext, args: CartUpdatedArgs): Promise<AsyncIterableIterator<CartDoc>> {
  if (!ctx.live) throw new Error('Live cart updates are turned off in this subgraph');
  if (!isUuid(args.cartId)) throw notFound('Cart', args.cartId);
  const events = await ctx.live.subscribe(args.cartId);
  try {
    // Read after Redis confirmed the SUBSCRIBE: a change committed from now on is a message.
    const cart = await currentCart(ctx, args.cartId);
    if (!cart) throw notFound('Cart', args.cartId);
    checkCartAccess(ctx, cart, args.cartToken, 'read');
    return new CartStream(ctx, events, cart);
  } catch (error) {
    await events.return?.();
    throw error;
  }
}

/**
 * A hand-written iterator rather than an async generator: `return()` must end
 * a `next()` that waits for Redis at once (graphql-ws calls it when the
 * client leaves), which a generator would queue behind that `next()`.
 */
class CartStream implements AsyncIterableIterator<CartDoc> {
  readonly #ctx: CartContext;
  readonly #events: LiveIterator<LiveCartMessage>;
  /** Whose cart it is: fixed for the cart's life. */
  readonly #owner: string | null;
  #initial: CartDoc | undefined;
  #version: number;
  #done = false;

  constructor(ctx: CartContext, events: LiveIterator<LiveCartMessage>, initial: CartDoc) {
    this.#ctx = ctx;
    this.#events = events;
    this.#initial = initial;
    this.#owner = initial.userId;
    this.#version = initial.version;
  }

  async next(): Promise<IteratorResult<CartDoc>> {
    if (this.#initial) {
      const value = this.#initial;
      this.#initial = undefined;
      return { value, done: false };
    }
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      const step = await this.#events.next();
      if (step.done || this.#done) return this.return();
      const message = step.value;
      if (message?.kind === 'MERGED') {
        await this.return();
        throw merged();
      }
      if (message?.kind !== 'UPDATED' || typeof message.version !== 'number' || message.version <= this.#version) continue;
      if (!this.#mayStillSee(message.cart)) {
        await this.return();
        throw outOfReach();
      }
      this.#version = message.version;
      return { value: message.cart, done: false };
    }
  }

  /** Per event, without I/O: the same owner as at the start, and (a user's cart) the subscriber is that user or an admin. */
  #mayStillSee(cart: CartDoc): boolean {
    if (cart.userId !== this.#owner) return false;
    const { identity } = this.#ctx;
    return cart.userId === null || isAdmin(identity) || identity?.userId === cart.userId;
  }

  async return(): Promise<IteratorResult<CartDoc>> {
    if (!this.#done) {
      this.#done = true;
      this.#initial = undefined;
      await this.#events.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<CartDoc>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<CartDoc> {
    return this;
  }
}
