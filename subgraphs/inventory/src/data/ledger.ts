/**
 * Reads of the stock ledger (stock_movements) for StockLevel.adjustments.
 * One statement answers a whole page of stock levels: every variant's first
 * page comes from one LATERAL join, every count from one GROUP BY.
 */
import type { StockMovementKind } from '../generated/prisma/enums.js';
import { Prisma } from '../generated/prisma/client.js';
import type { InventoryDb } from './prisma.js';

export interface MovementRow {
  id: string;
  variantId: string;
  warehouseId: string;
  kind: StockMovementKind;
  delta: number;
  onHandAfter: number;
  reason: string;
  reasonCode: string | null;
  actorId: string | null;
  orderId: string | null;
  at: Date;
}

/** What selects a ledger page besides the variant. */
export interface LedgerSlice {
  warehouseId: string | null;
  kinds: readonly StockMovementKind[];
  /** Keyset position in (at DESC, id DESC). */
  after: { at: Date; id: string } | null;
  limit: number;
}

const sliceFilter = (slice: Pick<LedgerSlice, 'warehouseId' | 'kinds'>): Prisma.Sql => Prisma.sql`
  (${slice.warehouseId}::uuid IS NULL OR m.warehouse_id = ${slice.warehouseId}::uuid)
  AND m.kind::text = ANY(${[...slice.kinds]}::text[])`;

/** Up to `limit` movements per variant, newest first. */
export async function movementsOfVariants(db: InventoryDb, variantIds: readonly string[], slice: LedgerSlice): Promise<MovementRow[]> {
  if (variantIds.length === 0) return [];
  const keyset = slice.after ? Prisma.sql`AND (m.created_at, m.id) < (${slice.after.at}::timestamptz, ${slice.after.id}::uuid)` : Prisma.empty;
  return db.$queryRaw<MovementRow[]>`
    SELECT p.* FROM unnest(${[...variantIds]}::uuid[]) AS k(id)
    CROSS JOIN LATERAL (
      SELECT m.id::text AS id, m.variant_id::text AS "variantId", m.warehouse_id::text AS "warehouseId", m.kind::text AS kind,
             m.delta, m.on_hand_after AS "onHandAfter", m.reason, m.reason_code::text AS "reasonCode",
             m.actor_id::text AS "actorId", m.order_id::text AS "orderId", m.created_at AS at
        FROM stock_movements m
       WHERE m.variant_id = k.id AND ${sliceFilter(slice)} ${keyset}
       ORDER BY m.created_at DESC, m.id DESC
       LIMIT ${slice.limit}
    ) p`;
}

export async function movementCountsOfVariants(
  db: InventoryDb,
  variantIds: readonly string[],
  slice: Pick<LedgerSlice, 'warehouseId' | 'kinds'>,
): Promise<Map<string, number>> {
  if (variantIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ variantId: string; count: number }[]>`
    SELECT m.variant_id::text AS "variantId", count(*)::int AS count
      FROM stock_movements m
     WHERE m.variant_id = ANY(${[...variantIds]}::uuid[]) AND ${sliceFilter(slice)}
     GROUP BY m.variant_id`;
  return new Map(rows.map((row) => [row.variantId, row.count]));
}
