/**
 * The dashboard's figures (orderStats) in one statement: the orders placed in
 * a period, grouped by calendar day (in a time zone), currency and current
 * status, each group with its count, how many of them reached CONFIRMED (a
 * timeline row to CONFIRMED), and its net amount (total − refunded). The
 * service folds the groups into totals, statuses and the day series.
 * Uses the orders (placed_at) index and order_transitions (order_id, seq).
 */
import type { OrderStatus } from '../generated/prisma/client.js';
import type { OrdersDb } from './prisma.js';

export interface StatsGroup {
  /** YYYY-MM-DD in the requested time zone. */
  day: string;
  currency: string;
  status: OrderStatus;
  orders: number;
  confirmed: number;
  /** Sum of total_minor − refunded_minor over the group (a bigint in SQL). */
  netMinor: number;
}

export async function orderStatsGroups(db: OrdersDb, from: Date, to: Date, timeZone: string): Promise<StatsGroup[]> {
  const rows = await db.$queryRaw<(Omit<StatsGroup, 'netMinor'> & { net_minor: bigint })[]>`
    SELECT (o.placed_at AT TIME ZONE ${timeZone})::date::text AS "day",
           o.currency::text AS "currency",
           o.status::text AS "status",
           count(*)::int AS "orders",
           (count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_status = 'CONFIRMED'
           )))::int AS "confirmed",
           sum(o.total_minor::bigint - o.refunded_minor) AS "net_minor"
      FROM orders o
     WHERE o.placed_at >= ${from} AND o.placed_at < ${to}
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`;
  return rows.map(({ net_minor, ...row }) => ({ ...row, netMinor: Number(net_minor) }));
}
