/**
 * Live cart updates over Redis pub/sub (@commerce/live), on
 * `liveChannel.cart(cartId)`.
 *
 * Published by the cart service itself, right after a change is committed,
 * rather than from the cart's Kafka events: line events leave out lowered
 * quantities, discount codes and currency changes, and anonymous carts have
 * no transaction to hang them on, while a subscriber wants every new state.
 * Where a change is committed:
 *
 * - a signed-in user's cart: when its PostgreSQL transaction has committed
 *   (`transactionWithLive` runs the transaction; the writer notes the new
 *   version on it with `noteCartChange`; the note is published after the
 *   commit, never for a rolled-back one). The checkout consumer's
 *   transactions go through the same runner (`liveRunner`);
 * - an anonymous cart: when its compare-and-set write to Redis succeeded;
 * - a merged anonymous cart: `MERGED` once it is deleted, so its subscribers
 *   are told it left their reach.
 *
 * A message carries the new state (`UPDATED`: the cart document without its
 * token hash, its `version`, `changedAt` = the change's time and `publishedAt`
 * = epoch ms after the commit, just before PUBLISH), so subscribers need not
 * read it again. Pub/sub is at-most-once and writers on different instances
 * may publish out of order; a cart is state, not history, so subscribers keep
 * the newest version and skip older ones.
 */
import { redisUrl as configuredRedisUrl } from '@commerce/config';
import { createLivePublisher, liveChannel, subscribeLiveReady, type LiveIterator, type LivePublisher } from '@commerce/live';
import type { Logger } from '@commerce/observability';
import type { CartDoc } from './cart-document.js';
import type { CartPrisma, CartTx } from './prisma.js';

export type LiveCartMessage =
  | {
      __typename: 'Cart';
      id: string;
      kind: 'UPDATED';
      version: number;
      /** The cart after the change; `tokenHash` is always null here. */
      cart: CartDoc;
      changedAt: string;
      /** Epoch ms right after the commit, just before PUBLISH. */
      publishedAt: number;
    }
  | { __typename: 'Cart'; id: string; kind: 'MERGED'; publishedAt: number };

export interface CartLive {
  /** A committed new version of a cart; failures are logged, never thrown (the change stands). */
  publishCart(cart: CartDoc): Promise<void>;
  /** The anonymous cart was merged into a user's cart and deleted. */
  publishMerged(cartId: string): Promise<void>;
  /** Messages on one cart's channel from now on; resolves once Redis confirmed the SUBSCRIBE. */
  subscribe(cartId: string): Promise<LiveIterator<LiveCartMessage>>;
  close(): Promise<void>;
}

export class RedisCartLive implements CartLive {
  readonly #redisUrl: string;
  readonly #logger: Logger;
  #publisher: LivePublisher | undefined;

  constructor(logger: Logger, redisUrl: string = configuredRedisUrl()) {
    this.#redisUrl = redisUrl;
    this.#logger = logger;
  }

  async #publish(cartId: string, message: LiveCartMessage): Promise<void> {
    this.#publisher ??= createLivePublisher(this.#redisUrl);
    try {
      await this.#publisher.publish(liveChannel.cart(cartId), message);
    } catch (error) {
      // The change stands; subscribers see it with the next one (or by reading the cart).
      this.#logger.warn({ err: error, cartId, kind: message.kind }, 'live cart update not published');
    }
  }

  publishCart(cart: CartDoc): Promise<void> {
    return this.#publish(cart.id, {
      __typename: 'Cart',
      id: cart.id,
      kind: 'UPDATED',
      version: cart.version,
      cart: { ...cart, tokenHash: null },
      changedAt: cart.updatedAt,
      publishedAt: Date.now(),
    });
  }

  publishMerged(cartId: string): Promise<void> {
    return this.#publish(cartId, { __typename: 'Cart', id: cartId, kind: 'MERGED', publishedAt: Date.now() });
  }

  subscribe(cartId: string): Promise<LiveIterator<LiveCartMessage>> {
    return subscribeLiveReady<LiveCartMessage>(liveChannel.cart(cartId), { redisUrl: this.#redisUrl, bufferSize: 100 });
  }

  async close(): Promise<void> {
    await this.#publisher?.close();
    this.#publisher = undefined;
  }
}

/** New versions written in a transaction run by transactionWithLive, by transaction client. */
const notes = new WeakMap<object, CartDoc[]>();

/** The writer's note of a new cart version in `tx`, published once `tx` commits. */
export function noteCartChange(tx: CartTx, cart: CartDoc): void {
  notes.get(tx)?.push(cart);
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** `prisma.$transaction(fn)`, then — once it has committed — the live publish of the versions it wrote. */
export async function transactionWithLive<R>(
  prisma: CartPrisma,
  live: CartLive | undefined,
  fn: (tx: CartTx) => Promise<R>,
  options?: TransactionOptions,
): Promise<R> {
  const written: CartDoc[] = [];
  const result = await prisma.$transaction(async (tx) => {
    written.length = 0;
    notes.set(tx, written);
    return fn(tx);
  }, options);
  if (live) for (const cart of written) await live.publishCart(cart);
  return result;
}

/** The runner the events consumer uses: each event's transaction publishes what it wrote after the commit. */
export function liveRunner(prisma: CartPrisma, live: CartLive | undefined) {
  return {
    $transaction: <R>(fn: (tx: CartTx) => Promise<R>, options?: TransactionOptions): Promise<R> =>
      transactionWithLive(prisma, live, fn, options),
  };
}
