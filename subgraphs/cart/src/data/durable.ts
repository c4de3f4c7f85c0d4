/**
 * The durable copy of signed-in users' carts in PostgreSQL. Every change of
 * a user's cart is written here in the transaction that also appends its
 * events to the outbox, so a flushed or lost Redis loses nothing: a read that
 * misses Redis reloads from these rows. Anonymous carts never come here.
 *
 * Writers serialize on the cart row (`SELECT ... FOR UPDATE`) and base their
 * change on the locked row, which is why a user's cart can be changed safely
 * from several requests (and the checkout consumer) at once.
 *
 * Each step is one statement on the hot path: the lock returns the cart with
 * its lines, and a write sends only the lines that changed together with the
 * new version of the cart row.
 */
import { randomUUID } from 'node:crypto';
import { expiresAtOf, isCurrency, newCartDoc, type CartDoc, type CartLineDoc, type Currency } from './cart-document.js';
import { Prisma, type CartDb, type CartTx } from './prisma.js';

/** A line as the durable copy holds it: its list (cart or saved for later) and its place in that list. */
export interface StoredLine extends CartLineDoc {
  savedForLater: boolean;
  position: number;
}

/** A user's cart read under its row lock, with its lines as stored: what saveDurable writes the change against. */
export interface LockedCart {
  cart: CartDoc;
  stored: ReadonlyMap<string, StoredLine>;
}

export interface DurableCart {
  cart: CartDoc;
  expiresAt: Date;
}

/** A cart row with its lines, as CART_COLUMNS selects it. */
interface CartRecord {
  id: string;
  user_id: string;
  currency: string;
  discount_code: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
  /** In stored order; `addedAt` is PostgreSQL's JSON rendering of a timestamptz. */
  lines: StoredLine[];
}

interface LockedRecord extends CartRecord {
  /** The row's version in the statement's snapshot (see lockWhere). */
  seen_version: number;
}

/** The cart row and, in one column, its lines: a cart costs one statement to read, however many lines it has. */
const CART_COLUMNS = Prisma.sql`c.id::text AS id, c.user_id::text AS user_id, c.currency::text AS currency,
  c.discount_code, c.version, c.created_at, c.updated_at, c.expires_at,
  COALESCE((
    SELECT json_agg(json_build_object(
      'id', l.id, 'variantId', l.variant_id, 'productId', l.product_id, 'sku', l.sku, 'title', l.title,
      'quantity', l.quantity, 'addedAt', l.added_at, 'savedForLater', l.saved_for_later, 'position', l.position
    ) ORDER BY l.position)
    FROM cart_lines l WHERE l.cart_id = c.id
  ), '[]'::json) AS lines`;

/**
 * The version the statement's snapshot saw. A locking read that waited for
 * another writer gets the writer's committed cart row, but its sub-selects
 * (the lines) still read the snapshot taken before the wait; every change of
 * the lines also bumps the row's version, so lines are current exactly when
 * this equals the locked row's version.
 */
const SEEN_VERSION = Prisma.sql`(SELECT s.version FROM carts s WHERE s.id = c.id) AS seen_version`;

const lineDoc = (line: StoredLine): CartLineDoc => ({
  id: line.id,
  variantId: line.variantId,
  productId: line.productId,
  sku: line.sku,
  title: line.title,
  quantity: line.quantity,
  addedAt: new Date(line.addedAt).toISOString(),
});

function toCartDoc(record: CartRecord): CartDoc {
  if (!isCurrency(record.currency)) throw new Error(`Cart ${record.id} has an unknown currency ${record.currency}`);
  return {
    id: record.id,
    userId: record.user_id,
    tokenHash: null,
    currency: record.currency,
    discountCode: record.discount_code,
    lines: record.lines.filter((line) => !line.savedForLater).map(lineDoc),
    saved: record.lines.filter((line) => line.savedForLater).map(lineDoc),
    version: record.version,
    createdAt: record.created_at.toISOString(),
    updatedAt: record.updated_at.toISOString(),
  };
}

function toLockedCart(record: CartRecord): LockedCart {
  const stored = new Map(record.lines.map((line) => [line.id, { ...line, ...lineDoc(line) }]));
  return { cart: toCartDoc(record), stored };
}

/** Users' carts by id, expired ones left out. */
export async function loadDurableByIds(db: CartDb, ids: readonly string[], now = new Date()): Promise<DurableCart[]> {
  if (ids.length === 0) return [];
  const records = await db.$queryRaw<CartRecord[]>`
    SELECT ${CART_COLUMNS} FROM carts c WHERE c.id = ANY(${[...ids]}::uuid[]) AND c.expires_at > ${now}`;
  return records.map((record) => ({ cart: toCartDoc(record), expiresAt: record.expires_at }));
}

/** Users' carts by owner, expired ones left out. */
export async function loadDurableByUsers(db: CartDb, userIds: readonly string[], now = new Date()): Promise<DurableCart[]> {
  if (userIds.length === 0) return [];
  const records = await db.$queryRaw<CartRecord[]>`
    SELECT ${CART_COLUMNS} FROM carts c WHERE c.user_id = ANY(${[...userIds]}::uuid[]) AND c.expires_at > ${now}`;
  return records.map((record) => ({ cart: toCartDoc(record), expiresAt: record.expires_at }));
}

/** The locked cart of a `... LEFT JOIN locked` row; null when the join found nothing to lock. */
const lockedRecord = (row: Partial<LockedRecord> | undefined): LockedRecord | null =>
  row?.id ? (row as LockedRecord) : null;

/** Locks the cart row `where` picks and reads it with its lines, in one statement. */
async function lockWhere(tx: CartTx, where: Prisma.Sql): Promise<LockedRecord | null> {
  const records = await tx.$queryRaw<LockedRecord[]>`
    SELECT ${CART_COLUMNS}, ${SEEN_VERSION} FROM carts c WHERE ${where} FOR UPDATE OF c`;
  return records[0] ?? null;
}

/**
 * The locked cart as it stands: re-read when a writer committed while the
 * lock was awaited (see SEEN_VERSION); gone when expired.
 */
async function settle(tx: CartTx, record: LockedRecord, now: Date): Promise<LockedCart | null> {
  let current: LockedRecord | null = record;
  if (record.seen_version !== record.version) current = await lockWhere(tx, Prisma.sql`c.id = ${record.id}::uuid`);
  if (!current) return null;
  if (current.expires_at <= now) {
    // Expired: gone, as its Redis key is. Deleting it lets the user start a new one.
    await tx.cart.delete({ where: { id: current.id } });
    return null;
  }
  return toLockedCart(current);
}

/** Locks a user's cart row by cart id for the rest of the transaction; null when missing or expired. */
export async function lockCartById(tx: CartTx, id: string, now = new Date()): Promise<LockedCart | null> {
  const record = await lockWhere(tx, Prisma.sql`c.id = ${id}::uuid`);
  return record ? settle(tx, record, now) : null;
}

/** Locks the user's cart row for the rest of the transaction; null when the user has no live cart. */
export async function lockCartOfUser(tx: CartTx, userId: string, now = new Date()): Promise<LockedCart | null> {
  const record = await lockWhere(tx, Prisma.sql`c.user_id = ${userId}::uuid`);
  return record ? settle(tx, record, now) : null;
}

/**
 * The user's cart, locked, created when they have none — one statement
 * either way. One cart per user: concurrent creators meet on the user_id
 * unique key, and the loser locks the winner's row. A row this transaction
 * inserted needs no lock: nobody else sees it before the commit.
 */
export async function lockOrCreateCartOfUser(
  tx: CartTx,
  userId: string,
  currency: Currency,
  now = new Date(),
): Promise<{ locked: LockedCart; created: boolean }> {
  const fresh = newCartDoc({ id: randomUUID(), userId, tokenHash: null, currency, now });
  const [outcome] = await tx.$queryRaw<(Partial<LockedRecord> & { created: boolean })[]>`
    WITH locked AS (
      SELECT ${CART_COLUMNS}, ${SEEN_VERSION} FROM carts c WHERE c.user_id = ${userId}::uuid FOR UPDATE OF c
    ), created AS (
      INSERT INTO carts (id, user_id, currency, version, created_at, updated_at, expires_at)
      SELECT ${fresh.id}::uuid, ${userId}::uuid, ${currency}::"CurrencyCode", ${fresh.version},
        ${now}, ${now}, ${expiresAtOf(fresh)}
      WHERE NOT EXISTS (SELECT 1 FROM locked)
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    SELECT locked.*, EXISTS (SELECT 1 FROM created) AS created FROM (SELECT 1) AS one LEFT JOIN locked ON true`;
  if (outcome?.created) return { locked: { cart: fresh, stored: new Map() }, created: true };
  const record = lockedRecord(outcome);
  if (record) {
    const existing = await settle(tx, record, now);
    if (existing) return { locked: existing, created: false };
    // It had expired and is deleted now: start the user's next cart.
    return lockOrCreateCartOfUser(tx, userId, currency, now);
  }
  // A concurrent creator won the user_id key (our insert waited for its commit): lock its cart.
  const winner = await lockCartOfUser(tx, userId, now);
  if (!winner) throw new Error(`Cart of user ${userId} vanished while being created`);
  return { locked: winner, created: false };
}

/** An ordered line as cart_checkouts keeps it, to give it back if the order fails before payment. */
export interface CheckedOutLine {
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  quantity: number;
}

/**
 * Claims an order's checkout of a cart (cart_checkouts, keyed by order id)
 * and, when the claim is new, locks and reads the cart — one statement.
 * `claimed` is false when the order was checked out before; `locked` is null
 * then, and when the cart is missing or expired.
 */
export async function claimCheckoutAndLockCart(
  tx: CartTx,
  checkout: { orderId: string; cartId: string; userId: string | null; lines: readonly CheckedOutLine[] },
  now = new Date(),
): Promise<{ claimed: boolean; locked: LockedCart | null }> {
  const { orderId, cartId, userId } = checkout;
  const [outcome] = await tx.$queryRaw<(Partial<LockedRecord> & { claimed: boolean })[]>`
    WITH claim AS (
      INSERT INTO cart_checkouts (order_id, cart_id, user_id, lines)
      VALUES (${orderId}::uuid, ${cartId}::uuid, ${userId}::uuid, ${JSON.stringify(checkout.lines)}::jsonb)
      ON CONFLICT DO NOTHING
      RETURNING order_id
    ), locked AS (
      SELECT ${CART_COLUMNS}, ${SEEN_VERSION} FROM carts c
      WHERE c.id = ${cartId}::uuid AND EXISTS (SELECT 1 FROM claim) FOR UPDATE OF c
    )
    SELECT locked.*, EXISTS (SELECT 1 FROM claim) AS claimed FROM (SELECT 1) AS one LEFT JOIN locked ON true`;
  if (!outcome?.claimed) return { claimed: false, locked: null };
  const record = lockedRecord(outcome);
  return { claimed: true, locked: record ? await settle(tx, record, now) : null };
}

/** The lines of a cart as they are to be stored: each list in its order, positions counted per list. */
function storedLines(cart: CartDoc): StoredLine[] {
  const place = (lines: CartLineDoc[], savedForLater: boolean) =>
    lines.map((line, position) => ({ ...line, savedForLater, position }));
  return [...place(cart.lines, false), ...place(cart.saved, true)];
}

const sameStoredLine = (a: StoredLine, b: StoredLine): boolean =>
  a.savedForLater === b.savedForLater &&
  a.position === b.position &&
  a.variantId === b.variantId &&
  a.productId === b.productId &&
  a.sku === b.sku &&
  a.title === b.title &&
  a.quantity === b.quantity &&
  a.addedAt === b.addedAt;

/** Unique per cart (cart_id, saved_for_later, variant_id). */
const lineKey = (line: StoredLine): string => `${line.savedForLater}:${line.variantId}`;

/**
 * Writes a change of a locked cart over its durable copy, in one statement:
 * the cart row's new version, the lines that are new or changed, and the
 * deletion of the lines that left. Lines that did not change are not written.
 */
export async function saveDurable(tx: CartTx, before: LockedCart, after: CartDoc): Promise<void> {
  if (!after.userId) throw new Error(`Cart ${after.id} is anonymous; only users' carts have a durable copy`);
  const wanted = storedLines(after);
  const written = wanted.filter((line) => {
    const stored = before.stored.get(line.id);
    return !stored || !sameStoredLine(stored, line);
  });
  const kept = new Set(wanted.map((line) => line.id));
  const removed = [...before.stored.values()].filter((line) => !kept.has(line.id));
  let removedIds = removed.map((line) => line.id);
  // Parts of one statement do not see each other's rows: a line taking the
  // (list, variant) key of a line that leaves needs that line deleted first.
  const leavingKeys = new Set(removed.map(lineKey));
  if (written.some((line) => leavingKeys.has(lineKey(line)))) {
    await tx.cartLine.deleteMany({ where: { id: { in: removedIds } } });
    removedIds = [];
  }
  const rows = JSON.stringify(
    written.map((line) => ({
      id: line.id,
      saved_for_later: line.savedForLater,
      position: line.position,
      variant_id: line.variantId,
      product_id: line.productId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      added_at: line.addedAt,
    })),
  );
  const updated = await tx.$executeRaw`
    WITH removed AS (
      DELETE FROM cart_lines WHERE cart_id = ${after.id}::uuid AND id = ANY(${removedIds}::uuid[])
    ), written AS (
      INSERT INTO cart_lines (id, cart_id, saved_for_later, position, variant_id, product_id, sku, title, quantity, added_at)
      SELECT l.id, ${after.id}::uuid, l.saved_for_later, l.position, l.variant_id, l.product_id,
        l.sku, l.title, l.quantity, l.added_at
      FROM jsonb_to_recordset(${rows}::jsonb) AS l(
        id uuid, saved_for_later boolean, position integer, variant_id uuid, product_id uuid,
        sku text, title text, quantity integer, added_at timestamptz
      )
      ON CONFLICT (id) DO UPDATE SET
        saved_for_later = EXCLUDED.saved_for_later, position = EXCLUDED.position, variant_id = EXCLUDED.variant_id,
        product_id = EXCLUDED.product_id, sku = EXCLUDED.sku, title = EXCLUDED.title, quantity = EXCLUDED.quantity,
        added_at = EXCLUDED.added_at
    )
    UPDATE carts SET currency = ${after.currency}::"CurrencyCode", discount_code = ${after.discountCode},
      version = ${after.version}, updated_at = ${new Date(after.updatedAt)}, expires_at = ${expiresAtOf(after)}
    WHERE id = ${after.id}::uuid`;
  if (updated !== 1) throw new Error(`Cart ${after.id} has no durable row to write its change to`);
}
