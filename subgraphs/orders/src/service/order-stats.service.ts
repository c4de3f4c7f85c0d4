/**
 * Dashboard figures (Query.orderStats, admins only): what was ordered in a
 * period, what it earned per currency, how checkouts ended, and a per-day
 * series for charts. The definitions are in schema.graphql (OrderStats); in
 * short, an order counts in the day it was placed, and revenue is total −
 * refunded of the orders now CONFIRMED, FULFILLED, SHIPPED or DELIVERED.
 * One SQL statement (data/stats.ts); the folding happens here.
 */
import { badInput } from '@commerce/errors';
import type { OrdersContext } from '../context.js';
import type { OrderStatus } from '../generated/prisma/client.js';
import { orderStatsGroups, type StatsGroup } from '../data/stats.js';
import { money, type Money } from './order-read.service.js';
import { ORDER_STATUSES } from './order-state-machine.js';

/** Statuses whose orders count as revenue: paid (or being captured), not cancelled, not fully refunded. */
export const REVENUE_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['CONFIRMED', 'FULFILLED', 'SHIPPED', 'DELIVERED']);

/** The longest period orderStats answers for. */
export const MAX_STATS_DAYS = 400;
const DAY_MS = 86_400_000;
const INT_MAX = 2 ** 31 - 1;

export interface OrderStatsArgs {
  from: Date;
  to: Date;
  timeZone?: string | null;
}

interface Tally {
  orders: number;
  confirmed: number;
  cancelled: number;
  paymentFailed: number;
  revenue: Map<string, number>;
}

export interface OrderStatsDayView {
  date: string;
  orders: number;
  revenue: Money[];
  confirmed: number;
  cancelled: number;
  paymentFailed: number;
}

export interface OrderStatsView extends Omit<OrderStatsDayView, 'date'> {
  from: Date;
  to: Date;
  timeZone: string;
  byStatus: { status: OrderStatus; count: number }[];
  days: OrderStatsDayView[];
}

const newTally = (): Tally => ({ orders: 0, confirmed: 0, cancelled: 0, paymentFailed: 0, revenue: new Map() });

function add(tally: Tally, group: StatsGroup): void {
  tally.orders += group.orders;
  tally.confirmed += group.confirmed;
  if (group.status === 'CANCELLED') tally.cancelled += group.orders;
  if (group.status === 'PAYMENT_FAILED') tally.paymentFailed += group.orders;
  if (REVENUE_STATUSES.has(group.status)) tally.revenue.set(group.currency, (tally.revenue.get(group.currency) ?? 0) + group.netMinor);
}

function revenueOf(tally: Tally): Money[] {
  return [...tally.revenue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => {
      // Money.amountMinor is a 32-bit GraphQL Int.
      if (amountMinor > INT_MAX) throw badInput('The revenue of this period is too large for one amount; ask for a shorter period.', 'to');
      return money(amountMinor, currency);
    });
}

const view = (tally: Tally) => ({
  orders: tally.orders,
  revenue: revenueOf(tally),
  confirmed: tally.confirmed,
  cancelled: tally.cancelled,
  paymentFailed: tally.paymentFailed,
});

/** A time zone PostgreSQL and Intl both know by this IANA name; BAD_USER_INPUT otherwise. */
export function checkTimeZone(timeZone: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone) || timeZone.length > 64) {
    throw badInput('timeZone must be an IANA time zone name, e.g. Europe/Berlin.', 'timeZone');
  }
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw badInput(`Unknown time zone ${timeZone}.`, 'timeZone');
  }
  return timeZone;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Every calendar day from `first` to `last` (YYYY-MM-DD, inclusive). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export async function orderStats(ctx: OrdersContext, args: OrderStatsArgs): Promise<OrderStatsView> {
  const { from, to } = args;
  const timeZone = checkTimeZone(args.timeZone ?? 'UTC');
  if (to <= from) throw badInput('to must be after from.', 'to');
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) throw badInput(`The period may be at most ${MAX_STATS_DAYS} days.`, 'to');

  const groups = await orderStatsGroups(ctx.prisma, from, to, timeZone);
  const total = newTally();
  const byDay = new Map<string, Tally>();
  const byStatus = new Map<OrderStatus, number>();
  for (const group of groups) {
    add(total, group);
    const day = byDay.get(group.day) ?? newTally();
    byDay.set(group.day, day);
    add(day, group);
    byStatus.set(group.status, (byStatus.get(group.status) ?? 0) + group.orders);
  }
  const days = daysBetween(dayIn(from, timeZone), dayIn(new Date(to.getTime() - 1), timeZone)).map((date) => ({
    date,
    ...view(byDay.get(date) ?? newTally()),
  }));
  return {
    from,
    to,
    timeZone,
    ...view(total),
    byStatus: ORDER_STATUSES.filter((status) => byStatus.has(status)).map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
    days,
  };
}
