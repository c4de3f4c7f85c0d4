/**
 * Reservations as the admin reads them (Query.stockReservations): by
 * default the ACTIVE ones, the stock in flight for orders not yet
 * confirmed, soonest to expire first. The rules that create and end
 * reservations are in reservation.service.ts; this only reads.
 */
import { badInput } from '@commerce/errors';
import { clampFirst, decodeTimeIdCursor, encodeTimeIdCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import { reservationCount, reservationPage, type ReservationLineRow, type ReservationQuery, type ReservationRow } from '../data/reservations.js';
import type { ReservationStatus } from '../generated/prisma/enums.js';

export type { ReservationLineRow, ReservationRow };

export interface StockReservationsArgs {
  first?: number | null;
  after?: string | null;
  filter?: {
    status?: ReservationStatus | null;
    variantId?: string | null;
    warehouseId?: string | null;
    orderId?: string | null;
  } | null;
}

export type ReservationConnection = Connection<ReservationRow> & { query: ReservationQuery };

function optionalId(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (!isUuid(value)) throw badInput(`"${field}" is not a valid id.`, `filter.${field}`);
  return value.toLowerCase();
}

export async function listReservations(ctx: InventoryContext, args: StockReservationsArgs): Promise<ReservationConnection> {
  const first = clampFirst(args.first);
  const cursor = decodeTimeIdCursor(args.after);
  const after = cursor && { expiresAt: cursor.at, id: cursor.id };
  const filter = args.filter ?? {};
  const query: ReservationQuery = {
    status: filter.status ?? 'ACTIVE',
    variantId: optionalId(filter.variantId, 'variantId'),
    warehouseId: optionalId(filter.warehouseId, 'warehouseId'),
    orderId: optionalId(filter.orderId, 'orderId'),
  };
  const rows = await reservationPage(ctx.prisma, query, first + 1, after);
  return { ...toConnection(rows, first, (row) => encodeTimeIdCursor(row.expiresAt, row.id)), query };
}

export const reservationsTotal = (ctx: InventoryContext, connection: ReservationConnection): Promise<number> =>
  reservationCount(ctx.prisma, connection.query);

/** A reservation's lines (one statement for a whole page of reservations). */
export const reservationLines = (ctx: InventoryContext, reservation: ReservationRow): Promise<ReservationLineRow[]> =>
  ctx.loaders.reservationLines.load(reservation.id);
