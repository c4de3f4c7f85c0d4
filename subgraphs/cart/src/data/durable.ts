/**
 * The durable copy of signed-in users' carts in PostgreSQL. Every change of
 * a user's cart is written here in the transaction that also appends its
 * events to the outbox, so a flushed or lost Redis loses nothing: a read that
 * misses Redis reloads from these rows. Anonymous carts never come here.
 *
 * Writers serialize on the cart row (`SELECT ... FOR UPDATE`) and base their
 * change on the locked row, which is why a user's cart can be changed safely
 * from several requests (and the checkout consumer) at once.
 */
import { randomUUID } from 'node:crypto';
import type { Cart, CartLine } from '../generated/prisma/client.js';
import { expiresAtOf, newCartDoc, type CartDoc, type CartLineDoc, type Currency } from './cart-document.js';
import type { CartDb, CartTx, Prisma } from './prisma.js';

type CartRow = Cart & { lines: CartLine[] };

function lineDoc(line: CartLine): CartLineDoc {
  return {
    id: line.id,
    variantId: line.variantId,
    productId: line.productId,
    sku: line.sku,
    title: line.title,
    quantity: line.quantity,
    addedAt: line.addedAt.toISOString(),
  };
}

export function toCartDoc(row: CartRow): CartDoc {
  const sorted = [...row.lines].sort((a, b) => a.position - b.position);
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: null,
    currency: row.currency,
    discountCode: row.discountCode,
    lines: sorted.filter((line) => !line.savedForLater).map(lineDoc),
    saved: sorted.filter((line) => line.savedForLater).map(lineDoc),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface DurableCart {
  cart: CartDoc;
  expiresAt: Date;
}

const withLines = { lines: true } as const;

/** Users' carts by id, expired ones left out. */
export async function loadDurableByIds(db: CartDb, ids: readonly string[], now = new Date()): Promise<DurableCart[]> {
  if (ids.length === 0) return [];
  const rows = await db.cart.findMany({ where: { id: { in: [...ids] }, expiresAt: { gt: now } }, include: withLines });
  return rows.map((row) => ({ cart: toCartDoc(row), expiresAt: row.expiresAt }));
}

/** Users' carts by owner, expired ones left out. */
export async function loadDurableByUsers(db: CartDb, userIds: readonly string[], now = new Date()): Promise<DurableCart[]> {
  if (userIds.length === 0) return [];
  const rows = await db.cart.findMany({ where: { userId: { in: [...userIds] }, expiresAt: { gt: now } }, include: withLines });
  return rows.map((row) => ({ cart: toCartDoc(row), expiresAt: row.expiresAt }));
}

async function loadLocked(tx: CartTx, id: string, now: Date): Promise<CartDoc | null> {
  const row = await tx.cart.findUnique({ where: { id }, include: withLines });
  if (!row) return null;
  if (row.expiresAt <= now) {
    // Expired: gone, as its Redis key is. Deleting it lets the user start a new one.
    await tx.cart.delete({ where: { id } });
    return null;
  }
  return toCartDoc(row);
}

/** Locks a user's cart row by cart id for the rest of the transaction; null when missing or expired. */
export async function lockCartById(tx: CartTx, id: string, now = new Date()): Promise<CartDoc | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM carts WHERE id = ${id}::uuid FOR UPDATE`;
  return locked.length ? loadLocked(tx, id, now) : null;
}

/** Locks the user's cart row for the rest of the transaction; null when the user has no live cart. */
export async function lockCartOfUser(tx: CartTx, userId: string, now = new Date()): Promise<CartDoc | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM carts WHERE user_id = ${userId}::uuid FOR UPDATE`;
  const id = locked[0]?.id;
  return id ? loadLocked(tx, id, now) : null;
}

/**
 * The user's cart, locked, created when they have none (one cart per user:
 * concurrent creators meet on the user_id unique key, and the loser locks
 * the winner's row).
 */
export async function lockOrCreateCartOfUser(
  tx: CartTx,
  userId: string,
  currency: Currency,
  now = new Date(),
): Promise<{ cart: CartDoc; created: boolean }> {
  const existing = await lockCartOfUser(tx, userId, now);
  if (existing) return { cart: existing, created: false };
  const fresh = newCartDoc({ id: randomUUID(), userId, tokenHash: null, currency, now });
  const inserted = await tx.cart.createMany({
    data: [
      {
        id: fresh.id,
        userId,
        currency,
        version: fresh.version,
        createdAt: now,
        updatedAt: now,
        expiresAt: expiresAtOf(fresh),
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 1) {
    await tx.$queryRaw`SELECT id FROM carts WHERE id = ${fresh.id}::uuid FOR UPDATE`;
    return { cart: fresh, created: true };
  }
  const winner = await lockCartOfUser(tx, userId, now);
  if (!winner) throw new Error(`Cart of user ${userId} vanished while being created`);
  return { cart: winner, created: false };
}

function lineRows(cart: CartDoc): Prisma.CartLineCreateManyInput[] {
  const rows = (lines: CartLineDoc[], savedForLater: boolean, offset: number) =>
    lines.map((line, index) => ({
      id: line.id,
      cartId: cart.id,
      savedForLater,
      position: offset + index,
      variantId: line.variantId,
      productId: line.productId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      addedAt: new Date(line.addedAt),
    }));
  return [...rows(cart.lines, false, 0), ...rows(cart.saved, true, cart.lines.length)];
}

/** Writes the whole cart (row and lines) over the durable copy; call with the row locked. */
export async function saveDurable(tx: CartTx, cart: CartDoc): Promise<void> {
  if (!cart.userId) throw new Error(`Cart ${cart.id} is anonymous; only users' carts have a durable copy`);
  const fields = {
    currency: cart.currency,
    discountCode: cart.discountCode,
    version: cart.version,
    updatedAt: new Date(cart.updatedAt),
    expiresAt: expiresAtOf(cart),
  };
  await tx.cart.upsert({
    where: { id: cart.id },
    create: { id: cart.id, userId: cart.userId, createdAt: new Date(cart.createdAt), ...fields },
    update: fields,
  });
  await tx.cartLine.deleteMany({ where: { cartId: cart.id } });
  const data = lineRows(cart);
  if (data.length > 0) await tx.cartLine.createMany({ data });
}
