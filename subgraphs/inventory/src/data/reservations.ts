/**
 * Reads of reservations for the admin's list of stock held for orders
 * (Query.stockReservations): a page, its count, and the lines of a whole
 * page in one statement.
 */
import type { ReservationStatus } from '../generated/prisma/enums.js';
import { Prisma } from '../generated/prisma/client.js';
import type { InventoryDb } from './prisma.js';

export interface ReservationRow {
  id: string;
  orderId: string;
  status: ReservationStatus;
  expiresAt: Date;
  reason: string | null;
  createdAt: Date;
}

export interface ReservationLineRow {
  reservationId: string;
  variantId: string;
  warehouseId: string;
  sku: string;
  quantity: number;
  returned: number;
}

export interface ReservationQuery {
  status: ReservationStatus;
  variantId: string | null;
  warehouseId: string | null;
  orderId: string | null;
}

const where = (query: ReservationQuery): Prisma.Sql => Prisma.sql`
  r.status::text = ${query.status}::text
  AND (${query.orderId}::uuid IS NULL OR r.order_id = ${query.orderId}::uuid)
  AND (${query.variantId}::uuid IS NULL AND ${query.warehouseId}::uuid IS NULL OR EXISTS (
        SELECT 1 FROM reservation_lines l
         WHERE l.reservation_id = r.id
           AND (${query.variantId}::uuid IS NULL OR l.variant_id = ${query.variantId}::uuid)
           AND (${query.warehouseId}::uuid IS NULL OR l.warehouse_id = ${query.warehouseId}::uuid)))`;

/** Soonest to expire first (the sweeper's index: status, expires_at), strictly after the cursor. */
export function reservationPage(
  db: InventoryDb,
  query: ReservationQuery,
  limit: number,
  after: { expiresAt: Date; id: string } | null,
): Promise<ReservationRow[]> {
  const keyset = after ? Prisma.sql`AND (r.expires_at, r.id) > (${after.expiresAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
  return db.$queryRaw<ReservationRow[]>`
    SELECT r.id::text AS id, r.order_id::text AS "orderId", r.status::text AS status, r.expires_at AS "expiresAt",
           r.reason, r.created_at AS "createdAt"
      FROM reservations r
     WHERE ${where(query)} ${keyset}
     ORDER BY r.expires_at, r.id
     LIMIT ${limit}`;
}

export async function reservationCount(db: InventoryDb, query: ReservationQuery): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM reservations r WHERE ${where(query)}`;
  return row?.count ?? 0;
}

/** Lines of many reservations, in (variant, warehouse) order, with the variant's SKU ('' if inventory never heard of it). */
export async function linesOfReservations(db: InventoryDb, reservationIds: readonly string[]): Promise<ReservationLineRow[]> {
  if (reservationIds.length === 0) return [];
  return db.$queryRaw<ReservationLineRow[]>`
    SELECT l.reservation_id::text AS "reservationId", l.variant_id::text AS "variantId", l.warehouse_id::text AS "warehouseId",
           COALESCE(v.sku, '') AS sku, l.quantity, l.returned
      FROM reservation_lines l LEFT JOIN variants v ON v.id = l.variant_id
     WHERE l.reservation_id = ANY(${[...reservationIds]}::uuid[])
     ORDER BY l.reservation_id, l.variant_id, l.warehouse_id`;
}
