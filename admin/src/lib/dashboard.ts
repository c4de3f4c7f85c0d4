import 'server-only';
import { graphql } from '@/graphql/generated';
import { executeGraphQL } from './graphql';

const AdminDashboardQuery = graphql(`
  query AdminDashboard($from: DateTime!, $to: DateTime!, $timeZone: String!) {
    stats: orderStats(from: $from, to: $to, timeZone: $timeZone) {
      orders
      confirmed
      cancelled
      paymentFailed
      revenue {
        amountMinor
        currency
      }
      days {
        date
        orders
        confirmed
        cancelled
        paymentFailed
        revenue {
          amountMinor
          currency
        }
      }
    }
    lowStock: stockLevels(first: 8, filter: { lowStockOnly: true }) {
      totalCount
      edges {
        node {
          sku
          available
          lowStockThreshold
          variant {
            id
            name
            product {
              name
            }
          }
        }
      }
    }
  }
`);

export interface DayTotals {
  /** YYYY-MM-DD (UTC). */
  date: string;
  orders: number;
  confirmed: number;
  cancelled: number;
  paymentFailed: number;
  /** Per currency, integer minor units. */
  revenue: Record<string, number>;
}

export interface DashboardData {
  today: DayTotals;
  week: DayTotals;
  days: DayTotals[];
  currencies: string[];
  lowStock: { sku: string; available: number; threshold: number; variantId: string; label: string }[];
  lowStockCount: number;
}

const DAY_MS = 86_400_000;

/** Time zones the dashboard offers (IANA names; the graph accepts any). */
export const TIME_ZONES = ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney'] as const;

/** The instant today's midnight falls at in the zone (a day's length from it is tomorrow's, give or take a DST hour). */
function startOfDayIn(timeZone: string, now: Date): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, part) => {
      acc[part.type] = part.value;
      return acc;
    }, {});
  const wallClock = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = wallClock - Math.floor(now.getTime() / 1000) * 1000;
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) - offset;
}

function toRecord(money: readonly { amountMinor: number; currency: string }[], currencies: readonly string[]): Record<string, number> {
  const record: Record<string, number> = Object.fromEntries(currencies.map((c) => [c, 0]));
  for (const m of money) record[m.currency] = (record[m.currency] ?? 0) + m.amountMinor;
  return record;
}

/**
 * The dashboard's numbers: the orders subgraph's figures for the last seven
 * UTC days (one SQL statement there: orders, checkouts that reached
 * CONFIRMED, cancellations, failed payments, revenue per currency in minor
 * units, per day) and what is at or below its low-stock threshold.
 */
export async function dashboardData(token: string, timeZone = 'UTC', now = new Date()): Promise<DashboardData> {
  // Seven calendar days in the zone, today included: a window wide enough in UTC, cut to whole days by the graph.
  const midnight = startOfDayIn(timeZone, now);
  const from = new Date(midnight - 6 * DAY_MS).toISOString();
  const to = new Date(midnight + DAY_MS).toISOString();
  const { stats, lowStock } = await executeGraphQL(AdminDashboardQuery, { variables: { from, to, timeZone }, accessToken: token });
  const currencies = [...new Set(['EUR', 'USD', ...stats.revenue.map((m) => m.currency)])].sort();
  const days: DayTotals[] = stats.days.map((day) => ({
    date: day.date,
    orders: day.orders,
    confirmed: day.confirmed,
    cancelled: day.cancelled,
    paymentFailed: day.paymentFailed,
    revenue: toRecord(day.revenue, currencies),
  }));
  const week: DayTotals = {
    date: from.slice(0, 10),
    orders: stats.orders,
    confirmed: stats.confirmed,
    cancelled: stats.cancelled,
    paymentFailed: stats.paymentFailed,
    revenue: toRecord(stats.revenue, currencies),
  };
  const empty: DayTotals = { date: new Date(midnight).toISOString().slice(0, 10), orders: 0, confirmed: 0, cancelled: 0, paymentFailed: 0, revenue: toRecord([], currencies) };
  return {
    today: days.at(-1) ?? empty,
    week,
    days,
    currencies,
    lowStock: lowStock.edges.map(({ node }) => ({
      sku: node.sku,
      available: node.available,
      threshold: node.lowStockThreshold,
      variantId: node.variant.id,
      label: `${node.variant.product.name} · ${node.variant.name}`,
    })),
    lowStockCount: lowStock.totalCount,
  };
}
