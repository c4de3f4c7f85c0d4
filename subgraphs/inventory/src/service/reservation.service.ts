/**
 * Reservations: stock held for an order between order.placed and
 * order.confirmed. This is inventory's part of the checkout saga
 * (docs/checkout.md). Use this service for everything that holds, commits,
 * gives back or returns stock on behalf of an order; hand adjustments are in
 * stock.service.ts.
 *
 * Lifecycle of an order's reservation (one row per order):
 *
 *   order.placed ──► ACTIVE (units reserved until expires_at) ─┬─ order.confirmed ─► COMMITTED (units left on hand)
 *            └────► FAILED (a shortage: nothing held)         ├─ order.cancelled ─► RELEASED (units available again)
 *                                                              └─ sweeper, TTL ────► EXPIRED  (units available again)
 *   COMMITTED ── order.cancelled ──► RELEASED (units put back on hand)
 *   EXPIRED ──── order.confirmed ──► COMMITTED if the units can be held again, else FAILED (stock.reservation_failed)
 *
 * Rules:
 * - All lines or none. A placed order either holds every line (allocated
 *   across warehouses, see `allocate`) or holds nothing and publishes
 *   stock.reservation_failed with the shortages.
 * - No overselling, under any concurrency: every transaction first locks the
 *   stock rows it may touch, in (variant, warehouse) order, reads the current
 *   counts under those locks, and then changes them with conditional updates
 *   that cannot take `reserved` above `on_hand` (data/stock-writes.ts). A
 *   trigger on stock_levels refuses the impossible as a last resort. Only a
 *   refusal may be decided without the locks, from one committed snapshot
 *   (sold-out variants do not queue on their rows).
 * - Every effect and its events commit in one transaction: the caller's
 *   (the idempotent consumer's, with its processed_events row) or the
 *   sweeper's. A crash before the commit leaves nothing behind, and the
 *   redelivered event does the work once.
 * - State-guarded: an event that no longer applies (a second cancellation,
 *   confirming a released reservation, releasing an expired one) changes
 *   nothing and says so in the log.
 * - Expiry against confirmation: both lock the reservation row first. The
 *   sweeper skips rows someone holds (SKIP LOCKED) and only expires ACTIVE
 *   rows past their time, so a confirmation that gets the row first commits
 *   it even if the TTL has just run out (the units were still held). A
 *   confirmation that comes after the expiry tries to hold the units again
 *   and commit them in the same transaction; if they are gone it publishes
 *   stock.reservation_failed, and orders cancels and refunds.
 */
import type { InventoryServiceContext } from '../context.js';
import type { InventoryTx } from '../data/prisma.js';
import { timeOrderedUuid } from '../data/ids.js';
import {
  applyStockChange,
  applyStockChanges,
  byVariantThenWarehouse,
  lockStockRows,
  recordMovements,
  type AvailabilityChange,
  type LedgeredStockChange,
  type LockedStockRow,
  type Movement,
} from '../data/stock-writes.js';
import {
  publishReservationExpired,
  publishReservationFailed,
  publishStockCommitted,
  publishStockReleased,
  publishStockReserved,
} from '../events/publish.js';
import type { ReservationStatus } from '../generated/prisma/enums.js';
import { publishLevelChanges, recordLevelChanges, STOCK_TRANSACTION_OPTIONS } from './stock.service.js';

export interface RequestedLine {
  variantId: string;
  quantity: number;
}

/** Units of one variant held in one warehouse. */
export interface AllocatedLine {
  variantId: string;
  warehouseId: string;
  quantity: number;
}

export interface Shortage {
  variantId: string;
  requested: number;
  available: number;
}

export interface Allocation {
  lines: AllocatedLine[];
  shortages: Shortage[];
}

/** Sums quantities per variant (an order may list a variant twice), ids in lower case, sorted. */
export function mergeLines(lines: readonly RequestedLine[]): Map<string, number> {
  const merged = new Map<string, number>();
  for (const line of lines) {
    const id = line.variantId.toLowerCase();
    merged.set(id, (merged.get(id) ?? 0) + line.quantity);
  }
  return new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Where to take each line's units from, given the (locked) stock rows:
 * fewest shipments first. One warehouse that can supply the whole line wins,
 * by warehouse priority; otherwise the line is split over warehouses in
 * priority order. A line the warehouses cannot cover together is a shortage;
 * with any shortage, nothing is allocated (all or nothing).
 */
export function allocate(requested: ReadonlyMap<string, number>, rows: readonly LockedStockRow[]): Allocation {
  const lines: AllocatedLine[] = [];
  const shortages: Shortage[] = [];
  for (const [variantId, quantity] of requested) {
    const candidates = rows
      .filter((row) => row.variantId === variantId && row.onHand > row.reserved)
      .sort((a, b) => a.priority - b.priority || (a.warehouseId < b.warehouseId ? -1 : 1));
    const total = candidates.reduce((sum, row) => sum + (row.onHand - row.reserved), 0);
    if (total < quantity) {
      shortages.push({ variantId, requested: quantity, available: total });
      continue;
    }
    const single = candidates.find((row) => row.onHand - row.reserved >= quantity);
    if (single) {
      lines.push({ variantId, warehouseId: single.warehouseId, quantity });
      continue;
    }
    let remaining = quantity;
    for (const row of candidates) {
      if (remaining === 0) break;
      const take = Math.min(remaining, row.onHand - row.reserved);
      lines.push({ variantId, warehouseId: row.warehouseId, quantity: take });
      remaining -= take;
    }
  }
  return shortages.length > 0 ? { lines: [], shortages } : { lines: lines.sort(byVariantThenWarehouse), shortages };
}

function shortageReason(shortages: readonly Shortage[], prefix = 'Insufficient stock'): string {
  const parts = shortages.map((s) => `${s.variantId}: requested ${s.requested}, available ${s.available}`);
  return `${prefix} for ${shortages.length} line(s): ${parts.join('; ')}`;
}

interface ReservationRow {
  id: string;
  orderId: string;
  status: ReservationStatus;
  expiresAt: Date;
}

interface ReservationLineRow {
  id: string;
  variantId: string;
  warehouseId: string;
  quantity: number;
  returned: number;
}

interface LockedReservation extends ReservationRow {
  /**
   * Its lines, read in the statement that took the lock. Current when the
   * status is ACTIVE or EXPIRED: lines change only on the way out of those
   * states, in the transaction that changes the status, and a reservation
   * never goes back to them. A COMMITTED reservation's lines may have
   * changed (`returned`) while this statement waited for the lock: read them
   * again with `linesOf`.
   */
  lines: ReservationLineRow[];
}

/** A reservation joined with one of its lines (all line columns null when it has none). */
interface ReservationWithLineRow extends ReservationRow {
  lineId: string | null;
  variantId: string | null;
  warehouseId: string | null;
  quantity: number | null;
  returned: number | null;
}

/** The order's reservation, locked for the rest of the transaction, with its lines; null when there is none. */
async function lockReservation(tx: InventoryTx, orderId: string): Promise<LockedReservation | null> {
  const rows = await tx.$queryRaw<ReservationWithLineRow[]>`
    SELECT r.id::text AS id, r.order_id::text AS "orderId", r.status::text AS status, r.expires_at AS "expiresAt",
           l.id::text AS "lineId", l.variant_id::text AS "variantId", l.warehouse_id::text AS "warehouseId", l.quantity, l.returned
      FROM reservations r LEFT JOIN reservation_lines l ON l.reservation_id = r.id
     WHERE r.order_id = ${orderId}::uuid
     ORDER BY l.variant_id, l.warehouse_id, l.id
       FOR UPDATE OF r`;
  const [first] = rows;
  if (!first) return null;
  const lines: ReservationLineRow[] = [];
  for (const row of rows) {
    if (row.lineId === null || row.variantId === null || row.warehouseId === null || row.quantity === null || row.returned === null) continue;
    lines.push({ id: row.lineId, variantId: row.variantId, warehouseId: row.warehouseId, quantity: row.quantity, returned: row.returned });
  }
  return { id: first.id, orderId: first.orderId, status: first.status, expiresAt: first.expiresAt, lines };
}

async function linesOf(tx: InventoryTx, reservationIds: readonly string[]): Promise<(ReservationLineRow & { reservationId: string })[]> {
  if (reservationIds.length === 0) return [];
  return tx.$queryRaw<(ReservationLineRow & { reservationId: string })[]>`
    SELECT id::text AS id, reservation_id::text AS "reservationId", variant_id::text AS "variantId",
           warehouse_id::text AS "warehouseId", quantity, returned
      FROM reservation_lines WHERE reservation_id = ANY(${[...reservationIds]}::uuid[])
     ORDER BY variant_id, warehouse_id, id`;
}

async function setStatus(tx: InventoryTx, reservationId: string, status: ReservationStatus, reason: string | null): Promise<void> {
  await tx.$executeRaw`
    UPDATE reservations SET status = ${status}::"ReservationStatus", reason = ${reason}, updated_at = now()
     WHERE id = ${reservationId}::uuid`;
}

/** The order's reservation status, joined with one stock row (all stock columns null when there are none). */
interface SnapshotRow {
  existing: ReservationStatus | null;
  variantId: string | null;
  warehouseId: string | null;
  onHand: number | null;
  reserved: number | null;
  priority: number | null;
}

/**
 * The order's reservation status (null when it has none) and the stock rows
 * of the variants, unlocked, from one committed snapshot (one statement).
 */
async function reservationAndStockSnapshot(
  tx: InventoryTx,
  orderId: string,
  variantIds: readonly string[],
): Promise<{ existing: ReservationStatus | null; stock: LockedStockRow[] }> {
  const rows = await tx.$queryRaw<SnapshotRow[]>`
    SELECT r.existing, s."variantId", s."warehouseId", s."onHand", s.reserved, s.priority
      FROM (SELECT (SELECT status::text FROM reservations WHERE order_id = ${orderId}::uuid) AS existing) r
      LEFT JOIN (
        SELECT s.variant_id::text AS "variantId", s.warehouse_id::text AS "warehouseId",
               s.on_hand AS "onHand", s.reserved, w.priority
          FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
         WHERE s.variant_id = ANY(${[...variantIds]}::uuid[])
      ) s ON TRUE
     ORDER BY s."variantId", s."warehouseId"`;
  const stock: LockedStockRow[] = [];
  for (const row of rows) {
    if (row.variantId === null || row.warehouseId === null || row.onHand === null || row.reserved === null || row.priority === null) continue;
    stock.push({ variantId: row.variantId, warehouseId: row.warehouseId, onHand: row.onHand, reserved: row.reserved, priority: row.priority });
  }
  return { existing: rows[0]?.existing ?? null, stock };
}

/**
 * Inserts the order's ACTIVE reservation with its lines, expiring `ttlSeconds`
 * from now by the database's clock (the sweeper compares with the same
 * clock), in one statement. Null when the order already has a reservation
 * (a concurrent delivery got there first): then nothing is inserted.
 */
async function insertActiveReservation(
  tx: InventoryTx,
  orderId: string,
  ttlSeconds: number,
  lines: readonly AllocatedLine[],
): Promise<{ id: string; expiresAt: Date } | null> {
  const [row] = await tx.$queryRaw<{ id: string; expiresAt: Date }[]>`
    WITH reservation AS (
      INSERT INTO reservations (id, order_id, status, expires_at)
      VALUES (${timeOrderedUuid()}::uuid, ${orderId}::uuid, 'ACTIVE', clock_timestamp() + make_interval(secs => ${ttlSeconds}::int))
      ON CONFLICT (order_id) DO NOTHING
      RETURNING id, expires_at
    ), held AS (
      INSERT INTO reservation_lines (id, reservation_id, variant_id, warehouse_id, quantity)
      SELECT l.id, reservation.id, l.variant_id, l.warehouse_id, l.quantity
        FROM reservation CROSS JOIN unnest(
          ${lines.map(() => timeOrderedUuid())}::uuid[], ${lines.map((l) => l.variantId)}::uuid[],
          ${lines.map((l) => l.warehouseId)}::uuid[], ${lines.map((l) => l.quantity)}::int[]
        ) AS l(id, variant_id, warehouse_id, quantity)
    )
    SELECT id::text AS id, expires_at AS "expiresAt" FROM reservation`;
  return row ?? null;
}

/** Inserts the order's FAILED reservation; null when the order already has one (nothing inserted). */
async function insertFailedReservation(tx: InventoryTx, orderId: string, reason: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO reservations (id, order_id, status, expires_at, reason)
    VALUES (${timeOrderedUuid()}::uuid, ${orderId}::uuid, 'FAILED', ${new Date()}, ${reason})
    ON CONFLICT (order_id) DO NOTHING
    RETURNING id::text AS id`;
  return row?.id ?? null;
}

/** Reserving a line: hold its units. */
const holdUnits = (line: AllocatedLine): LedgeredStockChange => ({
  variantId: line.variantId,
  warehouseId: line.warehouseId,
  onHandDelta: 0,
  reservedDelta: line.quantity,
});

/**
 * Committing a line: its units leave on hand, and stop being reserved when
 * they were held (an ACTIVE reservation; an EXPIRED one had let them go).
 */
const shipUnits =
  (orderId: string, held: boolean, reason: string) =>
  (line: AllocatedLine): LedgeredStockChange => ({
    variantId: line.variantId,
    warehouseId: line.warehouseId,
    onHandDelta: -line.quantity,
    reservedDelta: held ? -line.quantity : 0,
    movement: { kind: 'COMMITTED', reason, orderId },
  });

// ---------------------------------------------------------------- order.placed

export interface ReserveRequest {
  orderId: string;
  lines: readonly RequestedLine[];
}

export type ReserveOutcome =
  | { status: 'reserved'; reservationId: string; expiresAt: Date; lines: AllocatedLine[] }
  | { status: 'failed'; reservationId: string; shortages: Shortage[] }
  | { status: 'skipped'; existing: ReservationStatus };

/**
 * Holds every line of the order or none, in the caller's transaction, and
 * publishes stock.reserved (lines with warehouses, reservation id, expiry)
 * or stock.reservation_failed (shortages). A variant inventory has never
 * heard of has no stock, so it is a shortage. An order that already has a
 * reservation (in any state) is left alone.
 */
export async function reserveForOrder(ctx: InventoryServiceContext, tx: InventoryTx, request: ReserveRequest): Promise<ReserveOutcome> {
  const orderId = request.orderId.toLowerCase();
  const requested = mergeLines(request.lines);
  const variantIds = [...requested.keys()];
  // Sold out already? Then say no without queueing for the row locks: a
  // committed snapshot that shows a shortage is a correct answer (this order
  // simply comes before whatever has not committed yet), and during a rush on
  // one variant the failures no longer wait behind the successes. A snapshot
  // that shows enough proves nothing: that is decided under the locks.
  const snapshot = await reservationAndStockSnapshot(tx, orderId, variantIds);
  if (snapshot.existing) return alreadyReserved(ctx, orderId, snapshot.existing);
  let { lines, shortages } = allocate(requested, snapshot.stock);
  if (shortages.length === 0) ({ lines, shortages } = allocate(requested, await lockStockRows(tx, variantIds)));

  if (shortages.length > 0) {
    const reason = shortageReason(shortages);
    const reservationId = await insertFailedReservation(tx, orderId, reason);
    if (!reservationId) return alreadyReserved(ctx, orderId, await statusOf(tx, orderId));
    await publishReservationFailed(tx, { orderId, reason, shortages }, ctx.traceContext);
    ctx.logger.info({ orderId, shortages }, 'reservation failed: insufficient stock');
    return { status: 'failed', reservationId, shortages };
  }

  const reservation = await insertActiveReservation(tx, orderId, ctx.settings.reservationTtlSeconds, lines);
  if (!reservation) return alreadyReserved(ctx, orderId, await statusOf(tx, orderId));
  const { availability } = await applyStockChanges(tx, lines.map(holdUnits));
  await publishLevelChanges(ctx, tx, availability);
  const { id: reservationId, expiresAt } = reservation;
  await publishStockReserved(tx, { orderId, reservationId, lines, expiresAt: expiresAt.toISOString() }, ctx.traceContext);
  await ctx.hooks.afterReserve?.(orderId);
  ctx.logger.info({ orderId, reservationId, lines: lines.length, expiresAt }, 'stock reserved');
  return { status: 'reserved', reservationId, expiresAt, lines };
}

function alreadyReserved(ctx: InventoryServiceContext, orderId: string, existing: ReservationStatus): ReserveOutcome {
  ctx.logger.info({ orderId, status: existing }, 'order already has a reservation; order.placed ignored');
  return { status: 'skipped', existing };
}

/** The status of a reservation a concurrent delivery of order.placed has just committed. */
async function statusOf(tx: InventoryTx, orderId: string): Promise<ReservationStatus> {
  const [row] = await tx.$queryRaw<{ status: ReservationStatus }[]>`
    SELECT status::text AS status FROM reservations WHERE order_id = ${orderId}::uuid`;
  if (!row) throw new Error(`reservation of order ${orderId} conflicted on insert but cannot be read`);
  return row.status;
}

// ---------------------------------------------------------------- order.confirmed

export type CommitOutcome =
  | { status: 'committed'; reservationId: string; lines: AllocatedLine[]; reReserved: boolean }
  | { status: 'failed'; reservationId: string; shortages: Shortage[] }
  | { status: 'ignored'; current: ReservationStatus | null };

/**
 * The order is confirmed: its units leave on hand for good (on hand −= qty,
 * reserved −= qty) and stock.committed is published. An ACTIVE reservation
 * commits even if its TTL ran out a moment ago (the sweeper had not taken
 * it, so the units were still held). An EXPIRED one is held again, across
 * warehouses, and committed in the same transaction; if the units are gone,
 * it becomes FAILED and stock.reservation_failed tells orders to cancel and
 * refund. Anything else is a no-op.
 */
export async function commitForOrder(ctx: InventoryServiceContext, tx: InventoryTx, orderIdInput: string): Promise<CommitOutcome> {
  const orderId = orderIdInput.toLowerCase();
  const reservation = await lockReservation(tx, orderId);
  if (!reservation) {
    ctx.logger.warn({ orderId }, 'order.confirmed for an order without a reservation; nothing to commit');
    return { status: 'ignored', current: null };
  }
  if (reservation.status === 'ACTIVE') {
    const { lines } = reservation;
    const { availability } = await applyStockChanges(tx, lines.map(shipUnits(orderId, true, 'order confirmed')));
    return finishCommit(ctx, tx, reservation, lines, availability, false);
  }
  if (reservation.status === 'EXPIRED') {
    const requested = mergeLines(reservation.lines);
    const rows = await lockStockRows(tx, [...requested.keys()]);
    const { lines, shortages } = allocate(requested, rows);
    if (shortages.length > 0) {
      const reason = shortageReason(shortages, 'Reservation expired before confirmation and stock is no longer available');
      await setStatus(tx, reservation.id, 'FAILED', reason);
      await publishReservationFailed(tx, { orderId, reason, shortages }, ctx.traceContext);
      ctx.logger.warn({ orderId, shortages }, 'expired reservation could not be held again at confirmation');
      return { status: 'failed', reservationId: reservation.id, shortages };
    }
    const { availability } = await applyStockChanges(tx, lines.map(shipUnits(orderId, false, 'order confirmed after expiry')));
    await tx.reservationLine.deleteMany({ where: { reservationId: reservation.id } });
    await tx.reservationLine.createMany({ data: lines.map((line) => ({ ...line, reservationId: reservation.id })) });
    return finishCommit(ctx, tx, reservation, lines, availability, true);
  }
  const log = reservation.status === 'COMMITTED' ? ctx.logger.info.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
  log({ orderId, status: reservation.status }, `order.confirmed ignored: reservation is ${reservation.status}`);
  return { status: 'ignored', current: reservation.status };
}

async function finishCommit(
  ctx: InventoryServiceContext,
  tx: InventoryTx,
  reservation: ReservationRow,
  lines: readonly AllocatedLine[],
  availability: readonly AvailabilityChange[],
  reReserved: boolean,
): Promise<CommitOutcome> {
  await setStatus(tx, reservation.id, 'COMMITTED', reReserved ? 'held again after expiry and committed' : null);
  await publishLevelChanges(ctx, tx, availability);
  const eventLines = lines.map(({ variantId, warehouseId, quantity }) => ({ variantId, warehouseId, quantity }));
  await publishStockCommitted(tx, { orderId: reservation.orderId, reservationId: reservation.id, lines: eventLines }, ctx.traceContext);
  ctx.logger.info({ orderId: reservation.orderId, reservationId: reservation.id, reReserved }, 'reservation committed');
  return { status: 'committed', reservationId: reservation.id, lines: eventLines, reReserved };
}

// ---------------------------------------------------------------- order.cancelled

export type ReleaseOutcome =
  | { status: 'released'; reservationId: string }
  | { status: 'restocked'; reservationId: string; units: number }
  | { status: 'ignored'; current: ReservationStatus | null };

/**
 * The order ended without shipping. An ACTIVE reservation gives its units
 * back (reserved −= qty); a COMMITTED one (cancelled after confirmation)
 * puts its units back on hand. Both publish stock.released. EXPIRED,
 * RELEASED, FAILED or no reservation: nothing to do.
 */
export async function releaseForOrder(
  ctx: InventoryServiceContext,
  tx: InventoryTx,
  orderIdInput: string,
  reason: string,
): Promise<ReleaseOutcome> {
  const orderId = orderIdInput.toLowerCase();
  const reservation = await lockReservation(tx, orderId);
  if (!reservation || (reservation.status !== 'ACTIVE' && reservation.status !== 'COMMITTED')) {
    ctx.logger.info({ orderId, status: reservation?.status ?? null }, `order.cancelled: nothing to release (${reservation?.status ?? 'no reservation'})`);
    return { status: 'ignored', current: reservation?.status ?? null };
  }
  let units = 0;
  let availability: AvailabilityChange[];
  if (reservation.status === 'ACTIVE') {
    ({ availability } = await applyStockChanges(
      tx,
      reservation.lines.map((line) => ({ variantId: line.variantId, warehouseId: line.warehouseId, onHandDelta: 0, reservedDelta: -line.quantity })),
    ));
  } else {
    // Committed: what has not come back yet (a refund may have returned some) goes back on hand.
    const changes: LedgeredStockChange[] = [];
    for (const line of await linesOf(tx, [reservation.id])) {
      const back = line.quantity - line.returned;
      if (back === 0) continue;
      changes.push({
        variantId: line.variantId,
        warehouseId: line.warehouseId,
        onHandDelta: back,
        reservedDelta: 0,
        movement: { kind: 'RESTOCKED', reason: `order cancelled after confirmation: ${reason}`, orderId },
      });
      units += back;
    }
    ({ availability } = await applyStockChanges(tx, changes));
    if (changes.length > 0) {
      await tx.$executeRaw`UPDATE reservation_lines SET returned = quantity WHERE reservation_id = ${reservation.id}::uuid AND returned < quantity`;
    }
  }
  await setStatus(tx, reservation.id, 'RELEASED', reason);
  await publishLevelChanges(ctx, tx, availability);
  await publishStockReleased(tx, { orderId, reservationId: reservation.id, reason }, ctx.traceContext);
  ctx.logger.info({ orderId, reservationId: reservation.id, from: reservation.status }, 'reservation released');
  return reservation.status === 'ACTIVE'
    ? { status: 'released', reservationId: reservation.id }
    : { status: 'restocked', reservationId: reservation.id, units };
}

// ---------------------------------------------------------------- order.refunded

export interface RefundRestockRequest {
  orderId: string;
  refundRequestId: string;
  restock: boolean;
  lines: readonly RequestedLine[];
}

export interface RestockOutcome {
  /** Units put back on hand. */
  restocked: number;
  /** Units the refund listed beyond what the order took and has not returned yet (ignored). */
  ignored: number;
}

/**
 * A refund whose items came back (`restock`): their units return to on hand,
 * into the warehouses they were shipped from. Never more than the order took
 * and has not already returned (a cancellation after confirmation, or an
 * earlier refund, may have put them back): the excess is ignored with a log
 * line, so a unit can never come back twice.
 */
export async function restockRefund(ctx: InventoryServiceContext, tx: InventoryTx, refund: RefundRestockRequest): Promise<RestockOutcome> {
  const orderId = refund.orderId.toLowerCase();
  if (!refund.restock || refund.lines.length === 0) return { restocked: 0, ignored: 0 };
  const reservation = await lockReservation(tx, orderId);
  // Only a COMMITTED reservation took units off hand and may still have some
  // out. A RELEASED one either never took any (cancelled before confirmation)
  // or already put them all back (cancelled after confirmation).
  if (reservation?.status !== 'COMMITTED') {
    const units = refund.lines.reduce((sum, line) => sum + line.quantity, 0);
    ctx.logger.warn(
      { orderId, status: reservation?.status ?? null },
      'order.refunded with restock for an order with no units out (never committed, or already returned); ignored',
    );
    return { restocked: 0, ignored: units };
  }
  const requested = mergeLines(refund.lines);
  // Read again: another refund may have returned units while we waited for the lock.
  const lines = await linesOf(tx, [reservation.id]);
  await lockStockRows(tx, [...requested.keys()]);
  const movements: Movement[] = [];
  let restocked = 0;
  let ignored = 0;
  for (const [variantId, quantity] of requested) {
    let remaining = quantity;
    for (const line of lines.filter((l) => l.variantId === variantId)) {
      const back = Math.min(remaining, line.quantity - line.returned);
      if (back <= 0) continue;
      const after = await applyStockChange(tx, { variantId, warehouseId: line.warehouseId, onHandDelta: back, reservedDelta: 0 });
      await tx.$executeRaw`UPDATE reservation_lines SET returned = returned + ${back}::int WHERE id = ${line.id}::uuid`;
      movements.push({
        variantId,
        warehouseId: line.warehouseId,
        kind: 'RESTOCKED',
        delta: back,
        onHandAfter: after.onHand,
        reason: `refund ${refund.refundRequestId}`,
        orderId,
      });
      remaining -= back;
      restocked += back;
    }
    if (remaining > 0) {
      ignored += remaining;
      ctx.logger.warn({ orderId, variantId, units: remaining }, 'refund restock beyond what the order took and has not returned; ignored');
    }
  }
  await recordMovements(tx, movements);
  await recordLevelChanges(ctx, tx, requested.keys());
  ctx.logger.info({ orderId, refundRequestId: refund.refundRequestId, restocked, ignored }, 'refund restocked');
  return { restocked, ignored };
}

// ---------------------------------------------------------------- expiry (sweeper)

export interface ExpiredReservation {
  reservationId: string;
  orderId: string;
}

/**
 * Releases up to `limit` ACTIVE reservations past their expiry, in one
 * transaction of its own, and publishes stock.reservation_expired for each.
 * `FOR UPDATE SKIP LOCKED`: several instances can sweep at once without
 * waiting on each other or on a confirmation that holds a reservation.
 */
export async function expireDueReservations(ctx: InventoryServiceContext, limit = 100): Promise<ExpiredReservation[]> {
  return ctx.prisma.$transaction(async (tx) => {
    const due = await tx.$queryRaw<ReservationRow[]>`
      SELECT id::text AS id, order_id::text AS "orderId", status::text AS status, expires_at AS "expiresAt"
        FROM reservations
       WHERE status = 'ACTIVE' AND expires_at <= clock_timestamp()
       ORDER BY expires_at, id
       LIMIT ${limit}::int
         FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return [];
    const lines = await linesOf(
      tx,
      due.map((r) => r.id),
    );
    // Several expired reservations may hold units of one stock row: one change per row.
    const released = new Map<string, LedgeredStockChange>();
    for (const line of lines) {
      const key = `${line.variantId}/${line.warehouseId}`;
      const change = released.get(key) ?? { variantId: line.variantId, warehouseId: line.warehouseId, onHandDelta: 0, reservedDelta: 0 };
      change.reservedDelta -= line.quantity;
      released.set(key, change);
    }
    const { availability } = await applyStockChanges(tx, [...released.values()]);
    const reason = `not confirmed within ${ctx.settings.reservationTtlSeconds} s`;
    await tx.$executeRaw`
      UPDATE reservations SET status = 'EXPIRED', reason = ${reason}, updated_at = now()
       WHERE id = ANY(${due.map((r) => r.id)}::uuid[])`;
    await publishLevelChanges(ctx, tx, availability);
    const expiredAt = new Date().toISOString();
    const byOrder = [...due].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
    for (const reservation of byOrder) {
      await publishReservationExpired(tx, { orderId: reservation.orderId, reservationId: reservation.id, expiredAt }, ctx.traceContext);
    }
    ctx.logger.info({ count: due.length, orderIds: byOrder.map((r) => r.orderId) }, 'expired reservations released');
    return byOrder.map((r) => ({ reservationId: r.id, orderId: r.orderId }));
  }, STOCK_TRANSACTION_OPTIONS);
}
