import 'server-only';
import { graphql } from '@/graphql/generated';
import { executeGraphQL } from './graphql';

const AdminDashboardOrdersQuery = graphql(`
  query AdminDashboardOrders($first: Int!, $after: String) {
    orders(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          placedAt
          total {
            amountMinor
            currency
          }
        }
      }
    }
  }
`);

const AdminDashboardCountsQuery = graphql(`
  query AdminDashboardCounts {
    all: orders(first: 1) {
      totalCount
    }
    confirmed: orders(first: 1, filter: { status: CONFIRMED }) {
      totalCount
    }
    cancelled: orders(first: 1, filter: { status: CANCELLED }) {
      totalCount
    }
    paymentFailed: orders(first: 1, filter: { status: PAYMENT_FAILED }) {
      totalCount
    }
    lowStock: stockLevels(first: 8, filter: { lowStockOnly: true }) {
      pageInfo {
        hasNextPage
      }
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

/** Orders that did not bring money in: they count as orders but not as revenue. */
const NO_REVENUE = new Set(['CANCELLED', 'PAYMENT_FAILED', 'REFUNDED']);
/** The most orders read to draw the last seven days (newest first, 100 a page). */
const MAX_ORDERS = 2000;

export interface DayTotals {
  /** YYYY-MM-DD (UTC). */
  date: string;
  orders: number;
  revenue: Record<string, number>;
}

export interface DashboardData {
  today: DayTotals;
  week: { orders: number; revenue: Record<string, number> };
  days: DayTotals[];
  currencies: string[];
  /** True when the week held more orders than were read (the totals are then a lower bound). */
  truncated: boolean;
  counts: { all: number; confirmed: number; cancelled: number; paymentFailed: number };
  lowStock: { sku: string; available: number; threshold: number; variantId: string; label: string }[];
  moreLowStock: boolean;
}

const dayKey = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * The dashboard's numbers, from what the graph serves today: the last seven
 * days of orders (read newest first until a week back) summed per UTC day and
 * currency in integer minor units, the counts per status, and low stock.
 */
export async function dashboardData(token: string, now = new Date()): Promise<DashboardData> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 6));
  const days: DayTotals[] = Array.from({ length: 7 }, (_, i) => ({
    date: dayKey(new Date(start.getTime() + i * 86_400_000)),
    orders: 0,
    revenue: {},
  }));
  const byDate = new Map(days.map((day) => [day.date, day]));
  const currencies = new Set<string>(['USD', 'EUR']);
  let after: string | undefined;
  let read = 0;
  let truncated = false;
  const countsPromise = executeGraphQL(AdminDashboardCountsQuery, { accessToken: token });
  for (;;) {
    const { orders } = await executeGraphQL(AdminDashboardOrdersQuery, { variables: { first: 100, after }, accessToken: token });
    let older = false;
    for (const { node } of orders.edges) {
      read += 1;
      const placed = new Date(node.placedAt);
      if (placed < start) {
        older = true;
        break;
      }
      const day = byDate.get(dayKey(placed));
      if (!day) continue;
      day.orders += 1;
      if (!NO_REVENUE.has(node.status)) {
        currencies.add(node.total.currency);
        day.revenue[node.total.currency] = (day.revenue[node.total.currency] ?? 0) + node.total.amountMinor;
      }
    }
    if (older || !orders.pageInfo.hasNextPage || !orders.pageInfo.endCursor) break;
    if (read >= MAX_ORDERS) {
      truncated = true;
      break;
    }
    after = orders.pageInfo.endCursor;
  }
  const list = [...currencies].sort();
  for (const day of days) for (const currency of list) day.revenue[currency] ??= 0;
  const week = { orders: 0, revenue: Object.fromEntries(list.map((c) => [c, 0])) as Record<string, number> };
  for (const day of days) {
    week.orders += day.orders;
    for (const currency of list) week.revenue[currency] = (week.revenue[currency] ?? 0) + (day.revenue[currency] ?? 0);
  }
  const counts = await countsPromise;
  return {
    today: days[days.length - 1] as DayTotals,
    week,
    days,
    currencies: list,
    truncated,
    counts: {
      all: counts.all.totalCount,
      confirmed: counts.confirmed.totalCount,
      cancelled: counts.cancelled.totalCount,
      paymentFailed: counts.paymentFailed.totalCount,
    },
    lowStock: counts.lowStock.edges.map(({ node }) => ({
      sku: node.sku,
      available: node.available,
      threshold: node.lowStockThreshold,
      variantId: node.variant.id,
      label: `${node.variant.product.name} · ${node.variant.name}`,
    })),
    moreLowStock: counts.lowStock.pageInfo.hasNextPage,
  };
}
