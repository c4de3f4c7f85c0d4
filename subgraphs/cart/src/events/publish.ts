/**
 * What the cart publishes, keyed by cart id (one cart's events stay in order):
 *
 * - `cart.line_added` when a variant enters the cart or its quantity rises
 *   (quantity = the line's new quantity, so a repeat is harmless);
 * - `cart.line_removed` when a variant leaves the cart (removed, quantity 0,
 *   saved for later);
 * - `cart.checked_out` once per order that emptied the cart (checkout.service).
 *
 * Line events are derived from the difference between the cart before and
 * after a change, so every mutation (merge and move-to-cart included) reports
 * the same way. Lowering a quantity publishes nothing: no event says so.
 *
 * Users' carts append in the transaction that writes their durable copy, so
 * an event exists exactly when its change commits. Anonymous carts live only
 * in Redis, so there is no shared transaction: their events are appended in a
 * small transaction of their own right after the Redis write (see
 * publishAnonymousLineChanges for what that means).
 */
import { createHash } from 'node:crypto';
import {
  appendToOutbox,
  CartCheckedOut,
  CartLineAdded,
  CartLineRemoved,
  type CartCheckedOutPayload,
  type TraceCarrier,
} from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { CartDoc } from '../data/cart-document.js';
import type { CartPrisma, CartTx } from '../data/prisma.js';

export type LineChange = { kind: 'added'; variantId: string; quantity: number } | { kind: 'removed'; variantId: string };

/** Line events between two versions of a cart: additions and increases, then removals. */
export function lineChanges(before: Pick<CartDoc, 'lines'>, after: Pick<CartDoc, 'lines'>): LineChange[] {
  const previous = new Map(before.lines.map((line) => [line.variantId, line.quantity]));
  const current = new Set(after.lines.map((line) => line.variantId));
  const changes: LineChange[] = [];
  for (const line of after.lines) {
    const was = previous.get(line.variantId);
    if (was === undefined || line.quantity > was) changes.push({ kind: 'added', variantId: line.variantId, quantity: line.quantity });
  }
  for (const line of before.lines) {
    if (!current.has(line.variantId)) changes.push({ kind: 'removed', variantId: line.variantId });
  }
  return changes;
}

/** A name-based uuid (RFC 9562 version 8 layout) from SHA-256 of `name`. */
export function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/**
 * A stable event id for the n-th event of a cart version: retrying the same
 * append can then never publish twice.
 */
export const cartEventId = (cartId: string, version: number, index: number): string =>
  stableUuid(`cart-event:${cartId}:${version}:${index}`);

async function appendLineChanges(
  tx: CartTx,
  after: CartDoc,
  changes: readonly LineChange[],
  traceContext: TraceCarrier | undefined,
): Promise<void> {
  let index = 0;
  for (const change of changes) {
    const eventId = cartEventId(after.id, after.version, index++);
    const ref = { cartId: after.id, userId: after.userId };
    if (change.kind === 'added') {
      await appendToOutbox(tx, CartLineAdded, {
        aggregateId: after.id,
        eventId,
        payload: { ...ref, variantId: change.variantId, quantity: change.quantity },
        traceContext,
      });
    } else {
      await appendToOutbox(tx, CartLineRemoved, {
        aggregateId: after.id,
        eventId,
        payload: { ...ref, variantId: change.variantId },
        traceContext,
      });
    }
  }
}

/** A user's cart: append in the transaction that writes the durable copy. */
export async function publishLineChanges(
  tx: CartTx,
  before: Pick<CartDoc, 'lines'>,
  after: CartDoc,
  traceContext?: TraceCarrier,
): Promise<void> {
  await appendLineChanges(tx, after, lineChanges(before, after), traceContext);
}

/**
 * An anonymous cart: the Redis write has already happened, so append in a
 * transaction of its own. Ids are stable per (cart, version, index), so a
 * retry after an unclear commit is recognized and not appended twice; the
 * append is retried a few times.
 *
 * Implication: the change and its events are not atomic. If the process dies
 * (or PostgreSQL stays down) between the Redis write and this commit, the
 * change stands and its events are lost — logged, never invented. A client
 * that retries a failed mutation may apply it again and publish again, which
 * the absolute `quantity` in cart.line_added makes harmless to consumers.
 * These events are analytics-grade signals; nothing in the checkout saga
 * depends on them (orders are placed from users' carts, which are atomic).
 */
export async function publishAnonymousLineChanges(
  prisma: CartPrisma,
  before: Pick<CartDoc, 'lines'>,
  after: CartDoc,
  traceContext: TraceCarrier | undefined,
  logger: Logger,
): Promise<void> {
  const changes = lineChanges(before, after);
  if (changes.length === 0) return;
  const firstId = cartEventId(after.id, after.version, 0);
  for (let attempt = 1; ; attempt++) {
    try {
      await prisma.$transaction(async (tx) => {
        const already = await tx.outboxEvent.findUnique({ where: { eventId: firstId }, select: { eventId: true } });
        if (!already) await appendLineChanges(tx, after, changes, traceContext);
      });
      return;
    } catch (error) {
      if (attempt >= 3) {
        logger.error(
          { err: error, cartId: after.id, version: after.version, events: changes.length },
          'anonymous cart changed but its events could not be written to the outbox',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Once per order that emptied the cart; in the consumer's transaction. */
export async function publishCheckedOut(tx: CartTx, payload: CartCheckedOutPayload, traceContext?: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, CartCheckedOut, {
    aggregateId: payload.cartId,
    // One per order, whatever redelivers it.
    eventId: stableUuid(`cart-checked-out:${payload.orderId}`),
    payload,
    traceContext,
  });
}
