/**
 * Following an order live (Subscription.orderStatusChanged).
 *
 * What a subscriber gets: first the order as it is when the subscription
 * starts (so a client never has to race a read against the subscription, and
 * a re-subscription after a reconnect starts from the truth), then the order
 * at every later status, in order, none skipped, none twice. After a final
 * status (CANCELLED, PAYMENT_FAILED, REFUNDED) the stream completes: nothing
 * can follow.
 *
 * How: the Redis channel is subscribed first and the row read after Redis
 * confirmed, so no transition falls between the two. Each message carries the
 * row's `version` (+1 per transition). Older or repeated versions are
 * skipped; a jump (a message lost while Redis reconnected, or two instances
 * publishing out of order) is filled from the timeline (`seq` = version)
 * before the message itself, the filled states being the message's row with
 * that transition's status, reason and time.
 *
 * Access: the owner or an admin (permissions.ts refuses anonymous callers
 * with UNAUTHENTICATED unless they pass an email); or, for a guest order (no
 * user when the subscription starts), whoever passes its email: the guest's
 * states are marked readable for them (guest-access.ts), and the email is
 * checked again on every message (it never changes, so the stream goes on
 * after the order is attached to an account). Anyone else gets FORBIDDEN, and so do unknown ids:
 * the two are indistinguishable, as for reads. Ownership is checked on the
 * row read after subscribing, so starting a subscription costs one statement
 * (a refused caller is unsubscribed at once). Ownership cannot change, but
 * every event is checked again against the subscriber's identity (no I/O),
 * and every Order field keeps its ownerOrAdmin rule.
 *
 * Cost per event: the states are resolved once per subscriber (each has its
 * own identity and selection), so what they all need is shared: the row
 * comes in the message, and an order's lines (fixed at placement) are read
 * once per order and process while any stream of it runs (`SHARED_LINES`).
 */
import { forbidden } from '@commerce/errors';
import type { LiveIterator } from '@commerce/live';
import type { OrdersContext } from '../context.js';
import type { Order, OrderLine } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { SHARED_LINES, toLiveOrder, type LiveOrder } from '../data/live.js';
import type { OrdersPrisma } from '../data/prisma.js';
import { isGuestOrder, markGuestAccess, normalizeEmail } from './guest-access.js';
import { canSeeOrder } from './order-read.service.js';
import { isFinal } from './order-state-machine.js';

const notYours = () => forbidden('You can only follow your own orders.');
/** Refusal at subscribe time: the kit's FORBIDDEN, as for any field the caller may not use. */
const refused = () => forbidden();

/**
 * The order's live states for the subscriber (see the top of this file).
 * Yields LiveOrder objects, which Order's resolvers read like rows (dates
 * are ISO strings there; DateTime serializes them as they are).
 */
export async function followOrder(ctx: OrdersContext, orderId: string, email: string | null = null): Promise<AsyncIterableIterator<Order>> {
  if (!isUuid(orderId)) throw refused();
  const guestEmail = email === null ? null : normalizeEmail(email);
  if (email !== null && guestEmail === null && !ctx.identity) throw refused();
  // At the start: the owner or an admin, or the email of an order that is a guest's.
  const mayFollow = (order: Pick<Order, 'userId' | 'email' | 'accountDeletedAt'>): boolean =>
    canSeeOrder(ctx.identity, order) || (guestEmail !== null && isGuestOrder(order) && order.email === guestEmail);
  if (!ctx.live) {
    // Refused either way; whether the caller may see the order decides which error.
    const owner = await ctx.prisma.order.findUnique({ where: { id: orderId }, select: { userId: true, email: true, accountDeletedAt: true } });
    if (!owner || !mayFollow(owner)) throw refused();
    throw new Error('Live order updates are turned off in this subgraph');
  }
  const events = await ctx.live.subscribe(orderId);
  let current: Order | null;
  try {
    current = await ctx.prisma.order.findUnique({ where: { id: orderId } });
  } catch (error) {
    await events.return?.();
    throw error;
  }
  if (!current || !mayFollow(current)) {
    await events.return?.();
    throw refused();
  }
  // Owner or admin first: a signed-in owner who also passes an email follows as the owner.
  const asGuest = canSeeOrder(ctx.identity, current) ? null : guestEmail;
  return new OrderStatusStream(ctx, events, toLiveOrder(current, current.updatedAt), asGuest) as unknown as AsyncIterableIterator<Order>;
}

/** Lines of the orders followed in this process, read once each while any stream holds them. */
const sharedLines = new Map<string, { holders: number; lines: Promise<OrderLine[]> | undefined }>();

function holdLines(prisma: OrdersPrisma, orderId: string): { load: () => Promise<OrderLine[]>; release: () => void } {
  let entry = sharedLines.get(orderId);
  if (!entry) {
    entry = { holders: 0, lines: undefined };
    sharedLines.set(orderId, entry);
  }
  entry.holders++;
  const held = entry;
  let released = false;
  return {
    load() {
      held.lines ??= prisma.orderLine.findMany({ where: { orderId }, orderBy: { position: 'asc' } }).catch((error: unknown) => {
        held.lines = undefined; // the next event tries again
        throw error;
      });
      return held.lines;
    },
    release() {
      if (released) return;
      released = true;
      if (--held.holders === 0 && sharedLines.get(orderId) === held) sharedLines.delete(orderId);
    },
  };
}

/**
 * A hand-written iterator rather than an async generator: `return()` must end
 * a `next()` that waits for Redis at once (graphql-ws calls it when the
 * client leaves), which a generator would queue behind that `next()`.
 */
class OrderStatusStream implements AsyncIterableIterator<LiveOrder> {
  readonly #ctx: OrdersContext;
  readonly #events: LiveIterator<LiveOrder>;
  /** States ready to go out: the initial one, gap fills, then the message. */
  readonly #ready: LiveOrder[] = [];
  #version: number;
  #done = false;
  /** A final status went out: the stream ends after it. */
  #ending = false;
  readonly #lines: ReturnType<typeof holdLines>;
  /** The guest's email when following a guest order as its guest; null for the owner or an admin. */
  readonly #guestEmail: string | null;

  constructor(ctx: OrdersContext, events: LiveIterator<LiveOrder>, initial: LiveOrder, guestEmail: string | null) {
    this.#ctx = ctx;
    this.#guestEmail = guestEmail;
    this.#events = events;
    this.#lines = holdLines(ctx.prisma, initial.id);
    this.#ready.push(initial);
    this.#version = initial.version;
  }

  async next(): Promise<IteratorResult<LiveOrder>> {
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      const value = this.#ready.shift();
      if (value) {
        if (isFinal(value.status)) {
          this.#ending = true;
          this.#ready.length = 0;
        }
        Object.defineProperty(value, SHARED_LINES, { value: this.#lines.load, enumerable: false });
        // Every state this stream yields was checked for this guest (#accept); Order's fields let them read it.
        if (this.#guestEmail !== null) markGuestAccess(value);
        return { value, done: false };
      }
      if (this.#ending) return this.return();
      const step = await this.#events.next();
      if (step.done || this.#done) return this.return();
      await this.#accept(step.value);
    }
  }

  /** Queues a message's state, after any states it skipped; drops what was already sent. */
  async #accept(message: LiveOrder): Promise<void> {
    if (typeof message?.version !== 'number' || message.version <= this.#version) return;
    // Checked on every message, from the message itself: a deleted account's order loses its user and email (account.service.ts).
    const allowed = this.#guestEmail !== null ? message.email === this.#guestEmail : canSeeOrder(this.#ctx.identity, message);
    if (!allowed) {
      await this.return();
      throw notYours();
    }
    if (message.version > this.#version + 1) {
      const missed = await this.#ctx.prisma.orderTransition.findMany({
        where: { orderId: message.id, seq: { gt: this.#version, lt: message.version } },
        orderBy: { seq: 'asc' },
      });
      for (const transition of missed) {
        const at = transition.at.toISOString();
        this.#ready.push({
          ...message,
          status: transition.toStatus,
          statusReason: transition.reason,
          version: transition.seq,
          updatedAt: at,
          changedAt: at,
          publishedAt: 0,
        });
      }
    }
    this.#ready.push(message);
    this.#version = message.version;
  }

  async return(): Promise<IteratorResult<LiveOrder>> {
    if (!this.#done) {
      this.#done = true;
      this.#ready.length = 0;
      this.#lines.release();
      await this.#events.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<LiveOrder>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LiveOrder> {
    return this;
  }
}
