/**
 * The only statements that change stock_levels. Every change goes through
 * `lockStockRows` first (row locks in (variant, warehouse) order, the same
 * in every transaction, so two transactions never wait on each other in a
 * cycle) and then `changeStock`, a conditional update that refuses to break
 * 0 <= reserved <= on_hand even if a caller's arithmetic were wrong. The
 * table's trigger (see the first migration) is the last line of defence.
 */
import type { StockMovementKind } from '../generated/prisma/enums.js';
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

/**
 * The same rows without locks: one statement, so one consistent snapshot of
 * the committed counts. Only good for answering "no" early (see
 * reservation.service.ts); a "yes" must be confirmed under `lockStockRows`.
 */
export async function readStockRows(tx: InventoryTx, variantIds: readonly string[]): Promise<LockedStockRow[]> {
  if (variantIds.length === 0) return [];
  return tx.$queryRaw<LockedStockRow[]>`
    SELECT s.variant_id::text AS "variantId", s.warehouse_id::text AS "warehouseId",
           s.on_hand AS "onHand", s.reserved, w.priority
      FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
     WHERE s.variant_id = ANY(${[...variantIds]}::uuid[])
     ORDER BY s.variant_id, s.warehouse_id`;
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
  if (!result) {
    throw new StockInvariantError(
      `stock change refused for variant ${change.variantId} in warehouse ${change.warehouseId} ` +
        `(on hand ${change.onHandDelta >= 0 ? '+' : ''}${change.onHandDelta}, reserved ${change.reservedDelta >= 0 ? '+' : ''}${change.reservedDelta})`,
    );
  }
  return result;
}

export interface Movement {
  variantId: string;
  warehouseId: string;
  kind: StockMovementKind;
  delta: number;
  onHandAfter: number;
  reason: string;
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
      actorId: m.actorId ?? null,
      orderId: m.orderId ?? null,
    })),
  });
}

/** Sorts changes the way rows are locked, so updates also happen in lock order. */
export const byVariantThenWarehouse = <T extends { variantId: string; warehouseId: string }>(a: T, b: T): number =>
  a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0;
