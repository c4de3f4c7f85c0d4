/**
 * The only statements that change stock_levels. Every change locks its
 * variants' stock rows first, in (variant, warehouse) order, the same in
 * every transaction, so two transactions never wait on each other in a
 * cycle: `lockStockRows` when the caller must read the counts before
 * deciding, or inside `applyStockChanges` itself. Updates are conditional
 * and refuse to break 0 <= reserved <= on_hand even if a caller's
 * arithmetic were wrong. The table's trigger (see the first migration) is
 * the last line of defence.
 */
import type { StockAdjustmentReason, StockMovementKind } from '../generated/prisma/enums.js';
import { timeOrderedUuid } from './ids.js';
import type { InventoryTx } from './prisma.js';

export interface LockedStockRow {
  variantId: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  /** The warehouse's allocation priority (lower first). */
  priority: number;
}

/** Locks every stock row of the variants, in (variant, warehouse) order, and returns them as they are now. */
export async function lockStockRows(tx: InventoryTx, variantIds: readonly string[]): Promise<LockedStockRow[]> {
  if (variantIds.length === 0) return [];
  return tx.$queryRaw<LockedStockRow[]>`
    SELECT s.variant_id::text AS "variantId", s.warehouse_id::text AS "warehouseId",
           s.on_hand AS "onHand", s.reserved, w.priority
      FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
     WHERE s.variant_id = ANY(${[...variantIds]}::uuid[])
     ORDER BY s.variant_id, s.warehouse_id
       FOR NO KEY UPDATE OF s`;
}

export interface StockChange {
  variantId: string;
  warehouseId: string;
  onHandDelta: number;
  reservedDelta: number;
}

/**
 * Applies one change if the row keeps 0 <= reserved <= on_hand; returns the
 * new counts, or null when the row is missing or the change would break that.
 */
export async function changeStock(tx: InventoryTx, change: StockChange): Promise<{ onHand: number; reserved: number } | null> {
  const { variantId, warehouseId, onHandDelta, reservedDelta } = change;
  const rows = await tx.$queryRaw<{ onHand: number; reserved: number }[]>`
    UPDATE stock_levels
       SET on_hand = on_hand + ${onHandDelta}::int,
           reserved = reserved + ${reservedDelta}::int,
           updated_at = now()
     WHERE variant_id = ${variantId}::uuid AND warehouse_id = ${warehouseId}::uuid
       AND reserved + ${reservedDelta}::int >= 0
       AND on_hand + ${onHandDelta}::int >= reserved + ${reservedDelta}::int
    RETURNING on_hand AS "onHand", reserved`;
  return rows[0] ?? null;
}

/** Thrown when a change the caller computed under lock is refused: a bug, never a shortage. */
export class StockInvariantError extends Error {
  override readonly name = 'StockInvariantError';
}

/** `changeStock` that must succeed (the caller holds the lock and checked the numbers). */
export async function applyStockChange(tx: InventoryTx, change: StockChange): Promise<{ onHand: number; reserved: number }> {
  const result = await changeStock(tx, change);
  if (!result) throw refusedChange(change);
  return result;
}

function refusedChange(change: StockChange): StockInvariantError {
  return new StockInvariantError(
    `stock change refused for variant ${change.variantId} in warehouse ${change.warehouseId} ` +
      `(on hand ${change.onHandDelta >= 0 ? '+' : ''}${change.onHandDelta}, reserved ${change.reservedDelta >= 0 ? '+' : ''}${change.reservedDelta})`,
  );
}

/** What a change writes to the stock ledger (its `delta` is the change's onHandDelta). */
export interface LedgerNote {
  kind: StockMovementKind;
  reason: string;
  orderId?: string | null;
  actorId?: string | null;
}

export interface LedgeredStockChange extends StockChange {
  /** Omitted for changes of `reserved` only (reservations are their own record). */
  movement?: LedgerNote;
}

/** A variant whose availability (on hand − reserved, over all warehouses) changed. */
export interface AvailabilityChange {
  variantId: string;
  previous: number;
  available: number;
  threshold: number;
}

export interface AppliedStockChanges {
  /** The changed rows' new counts, in (variant, warehouse) order. */
  rows: { variantId: string; warehouseId: string; onHand: number; reserved: number }[];
  /** Variants whose availability changed, in id order; the variant rows stay locked until the transaction ends. */
  availability: AvailabilityChange[];
}

interface AppliedRow {
  variantId: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  available: number | null;
  previous: number | null;
  threshold: number | null;
}

/**
 * Applies changes to many stock rows (at most one change per row) in ONE
 * statement, all or nothing:
 * - locks every stock row of the changed variants in (variant, warehouse)
 *   order, as `lockStockRows` does (a no-op for rows the caller locked);
 * - applies each change if the row keeps 0 <= reserved <= on_hand; a change
 *   that would not is a bug (the caller decided under the locks), so it
 *   throws StockInvariantError and the transaction rolls back;
 * - appends the changes that carry a `movement` to the ledger, with the new
 *   on hand;
 * - moves each variant's stored availability (variants.available) by the
 *   net change of its rows, only where it changed, and returns the variants
 *   that changed with their threshold, for stock.level_changed and stock.low.
 *
 * Incremental is exact: every writer of stock_levels maintains
 * variants.available in the same transaction, under the variant row lock.
 * The variant rows are locked after every stock row lock is held (the count
 * over `locked` must finish first), so the lock order stays stock rows, then
 * variants. Whoever updates a variant row here holds all of its stock rows,
 * so two transactions never wait on each other's variant rows.
 */
export async function applyStockChanges(tx: InventoryTx, changes: readonly LedgeredStockChange[]): Promise<AppliedStockChanges> {
  if (changes.length === 0) return { rows: [], availability: [] };
  const sorted = [...changes].sort(byVariantThenWarehouse);
  sorted.forEach((change, i) => {
    const previous = sorted[i - 1];
    if (previous && byVariantThenWarehouse(previous, change) === 0) {
      throw new Error(`applyStockChanges: two changes for variant ${change.variantId} in warehouse ${change.warehouseId}; sum them first`);
    }
  });
  const variantIds = [...new Set(sorted.map((change) => change.variantId))];
  const movementIds = sorted.map((change) => (change.movement ? timeOrderedUuid() : null));
  const applied = await tx.$queryRaw<AppliedRow[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${sorted.map((c) => c.variantId)}::uuid[], ${sorted.map((c) => c.warehouseId)}::uuid[],
        ${sorted.map((c) => c.onHandDelta)}::int[], ${sorted.map((c) => c.reservedDelta)}::int[],
        ${movementIds}::uuid[], ${sorted.map((c) => c.movement?.kind ?? null)}::text[],
        ${sorted.map((c) => c.movement?.reason ?? null)}::text[], ${sorted.map((c) => c.movement?.orderId ?? null)}::uuid[],
        ${sorted.map((c) => c.movement?.actorId ?? null)}::uuid[]
      ) AS c(variant_id, warehouse_id, on_hand_delta, reserved_delta, movement_id, kind, reason, order_id, actor_id)
    ),
    locked AS (
      SELECT variant_id, warehouse_id FROM stock_levels
       WHERE variant_id = ANY(${variantIds}::uuid[])
       ORDER BY variant_id, warehouse_id
         FOR NO KEY UPDATE
    ),
    changed AS (
      UPDATE stock_levels s
         SET on_hand = s.on_hand + c.on_hand_delta, reserved = s.reserved + c.reserved_delta, updated_at = now()
        FROM input c JOIN locked l ON l.variant_id = c.variant_id AND l.warehouse_id = c.warehouse_id
       WHERE s.variant_id = c.variant_id AND s.warehouse_id = c.warehouse_id
         AND s.reserved + c.reserved_delta >= 0
         AND s.on_hand + c.on_hand_delta >= s.reserved + c.reserved_delta
      RETURNING s.variant_id, s.warehouse_id, s.on_hand, s.reserved, c.on_hand_delta, c.reserved_delta,
                c.movement_id, c.kind, c.reason, c.order_id, c.actor_id
    ),
    ledger AS (
      INSERT INTO stock_movements (id, variant_id, warehouse_id, kind, delta, on_hand_after, reason, actor_id, order_id)
      SELECT movement_id, variant_id, warehouse_id, kind::"StockMovementKind", on_hand_delta, on_hand, reason, actor_id, order_id
        FROM changed WHERE movement_id IS NOT NULL
    ),
    net AS (
      SELECT changed.variant_id, SUM(changed.on_hand_delta - changed.reserved_delta)::int AS delta
        FROM changed CROSS JOIN (SELECT count(*) FROM locked) AS every_row_locked
       GROUP BY changed.variant_id
    ),
    levels AS (
      UPDATE variants v SET available = v.available + net.delta, updated_at = now()
        FROM net
       WHERE v.id = net.variant_id AND net.delta <> 0
      RETURNING v.id, v.available, net.delta, v.low_stock_threshold
    )
    SELECT c.variant_id::text AS "variantId", c.warehouse_id::text AS "warehouseId", c.on_hand AS "onHand", c.reserved,
           lv.available, lv.available - lv.delta AS previous, lv.low_stock_threshold AS threshold
      FROM changed c LEFT JOIN levels lv ON lv.id = c.variant_id
     ORDER BY c.variant_id, c.warehouse_id`;
  if (applied.length !== sorted.length) {
    const done = new Set(applied.map((row) => `${row.variantId}/${row.warehouseId}`));
    const refused = sorted.find((change) => !done.has(`${change.variantId}/${change.warehouseId}`)) ?? (sorted[0] as StockChange);
    throw refusedChange(refused);
  }
  const availability = new Map<string, AvailabilityChange>();
  for (const row of applied) {
    if (row.available === null || row.previous === null || row.threshold === null) continue;
    availability.set(row.variantId, { variantId: row.variantId, previous: row.previous, available: row.available, threshold: row.threshold });
  }
  return {
    rows: applied.map(({ variantId, warehouseId, onHand, reserved }) => ({ variantId, warehouseId, onHand, reserved })),
    availability: [...availability.values()],
  };
}

export interface Movement {
  variantId: string;
  warehouseId: string;
  kind: StockMovementKind;
  delta: number;
  onHandAfter: number;
  reason: string;
  /** The admin's category of an ADJUSTMENT. */
  reasonCode?: StockAdjustmentReason | null;
  actorId?: string | null;
  orderId?: string | null;
}

/** Appends to the stock ledger (every on-hand change). */
export async function recordMovements(tx: InventoryTx, movements: readonly Movement[]): Promise<void> {
  if (movements.length === 0) return;
  await tx.stockMovement.createMany({
    data: movements.map((m) => ({
      variantId: m.variantId,
      warehouseId: m.warehouseId,
      kind: m.kind,
      delta: m.delta,
      onHandAfter: m.onHandAfter,
      reason: m.reason,
      reasonCode: m.reasonCode ?? null,
      actorId: m.actorId ?? null,
      orderId: m.orderId ?? null,
    })),
  });
}

/** Sorts changes the way rows are locked, so updates also happen in lock order. */
export const byVariantThenWarehouse = <T extends { variantId: string; warehouseId: string }>(a: T, b: T): number =>
  a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0;
