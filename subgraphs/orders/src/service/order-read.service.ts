/**
 * Reading orders: who may see which order, the listings (a user's orders,
 * every order for admins), and the views of an order's parts as the schema
 * shows them (money, address, lines, timeline, refunds).
 *
 * Visibility: an order is visible to its owner and to admins. To anyone else
 * it does not exist: `order(id)` and entity references answer null, the same
 * as for an unknown id, so ids cannot be probed. permissions.ts guards every
 * Order field as well, in case an order reaches a caller some other way.
 */
import { isAdmin } from '@commerce/auth';
import { badInput } from '@commerce/errors';
import type { Identity } from '@commerce/auth';
import type { OrdersContext } from '../context.js';
import type { Order, OrderLine, OrderStatus, OrderTransition, Prisma, RefundRequest, RefundRequestLine } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { SHARED_LINES, type LiveOrder } from '../data/live.js';
import { primeOrders } from '../data/loaders.js';
import { grantGuestAccess, isGuestOrder, normalizeEmail } from './guest-access.js';
import { decodeIdCursor, idConnection, pageSize, type CountedConnection, type PageArgs } from './pagination.js';

export interface Money {
  amountMinor: number;
  currency: string;
}

export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

export function canSeeOrder(identity: Identity | null, order: Pick<Order, 'userId'>): boolean {
  return identity !== null && (isAdmin(identity) || identity.userId === order.userId);
}

/** An order by id for its owner or an admin; null otherwise (also for ids that cannot exist). */
export async function findOrder(ctx: OrdersContext, id: string): Promise<Order | null> {
  if (!isUuid(id)) return null;
  const order = await ctx.loaders.orderById.load(id);
  return order && canSeeOrder(ctx.identity, order) ? order : null;
}

/**
 * An order number as shoppers type it ("100234", surrounding spaces and a
 * leading "#" tolerated), or null when it cannot be one (never a database error).
 */
export function parseOrderNumber(number: string): number | null {
  const digits = typeof number === 'string' ? number.trim().replace(/^#/, '') : '';
  if (!/^[0-9]{1,10}$/.test(digits)) return null;
  const value = Number(digits);
  return value <= 2_147_483_647 ? value : null;
}

/** An order by its number for its owner or an admin; null otherwise (as findOrder). */
export async function findOrderByNumber(ctx: OrdersContext, number: string): Promise<Order | null> {
  const value = parseOrderNumber(number);
  if (value === null) return null;
  const order = await ctx.prisma.order.findUnique({ where: { number: value } });
  if (!order || !canSeeOrder(ctx.identity, order)) return null;
  primeOrders(ctx.loaders, [order]);
  return order;
}

export interface OrderLookupInput {
  number: string;
  email: string;
}

/** Misses allowed per email in a window before lookups for it answer null without looking (per process). */
const LOOKUP_MISSES = 10;
const LOOKUP_WINDOW_MS = 10 * 60_000;
const lookupMisses = new Map<string, { count: number; since: number }>();

function lookupLimited(email: string, now: number): boolean {
  const entry = lookupMisses.get(email);
  if (!entry || now - entry.since > LOOKUP_WINDOW_MS) return false;
  return entry.count >= LOOKUP_MISSES;
}

function noteLookupMiss(email: string, now: number): void {
  const entry = lookupMisses.get(email);
  if (!entry || now - entry.since > LOOKUP_WINDOW_MS) {
    // Bounded: the oldest entry goes first once many emails are being tried.
    if (lookupMisses.size >= 10_000) lookupMisses.delete(lookupMisses.keys().next().value ?? '');
    lookupMisses.set(email, { count: 1, since: now });
  } else {
    entry.count++;
  }
}

/**
 * orderLookup: a guest order by number and email, for anyone; a copy the
 * caller may read in full (guest-access.ts). Null whenever the two do not
 * match a guest order, whatever the reason, so nothing tells an existing
 * number from an unknown one. After LOOKUP_MISSES misses for one email in
 * LOOKUP_WINDOW_MS, that email's lookups answer null without looking.
 */
export async function lookupGuestOrder(ctx: OrdersContext, input: OrderLookupInput): Promise<Order | null> {
  const number = parseOrderNumber(input.number);
  const email = normalizeEmail(input.email);
  if (number === null || email === null) return null;
  const now = Date.now();
  if (lookupLimited(email, now)) return null;
  const order = await ctx.prisma.order.findUnique({ where: { number } });
  if (!order || !isGuestOrder(order) || order.email !== email) {
    noteLookupMiss(email, now);
    return null;
  }
  return grantGuestAccess(order);
}

/**
 * An order referenced through `_entities` (e.g. by payments' Order.payment).
 * Shield does not guard `__resolveReference`, so the visibility rule is
 * applied here too: someone else's order resolves to null.
 */
export const orderReference = findOrder;

export interface OrderFilter {
  status?: OrderStatus | null;
  statuses?: readonly OrderStatus[] | null;
  placedFrom?: Date | null;
  placedTo?: Date | null;
  customerId?: string | null;
  customerEmail?: string | null;
  number?: string | null;
}

/**
 * The admin listing's conditions as a Prisma filter (all must hold), checked:
 * BAD_USER_INPUT with `filter.<field>` for what cannot match anything by
 * construction (a malformed number, id or email, an empty date range).
 */
export function orderListWhere(filter: OrderFilter | null | undefined): Prisma.OrderWhereInput {
  const conditions: Prisma.OrderWhereInput[] = [];
  if (!filter) return {};
  if (filter.status) conditions.push({ status: filter.status });
  if (filter.statuses) conditions.push({ status: { in: [...filter.statuses] } });
  if (filter.placedFrom && filter.placedTo && filter.placedTo <= filter.placedFrom) {
    throw badInput('placedTo must be after placedFrom.', 'filter.placedTo');
  }
  if (filter.placedFrom || filter.placedTo) {
    conditions.push({ placedAt: { ...(filter.placedFrom ? { gte: filter.placedFrom } : {}), ...(filter.placedTo ? { lt: filter.placedTo } : {}) } });
  }
  if (filter.customerId !== null && filter.customerId !== undefined) {
    if (!isUuid(filter.customerId)) throw badInput('customerId is not a user id.', 'filter.customerId');
    conditions.push({ userId: filter.customerId });
  }
  if (filter.customerEmail !== null && filter.customerEmail !== undefined) {
    const email = normalizeEmail(filter.customerEmail);
    if (email === null) throw badInput('customerEmail is not an email address.', 'filter.customerEmail');
    conditions.push({ email });
  }
  if (filter.number !== null && filter.number !== undefined) {
    const number = parseOrderNumber(filter.number);
    if (number === null) throw badInput('number is not an order number.', 'filter.number');
    conditions.push({ number });
  }
  return conditions.length === 1 ? (conditions[0] as Prisma.OrderWhereInput) : { AND: conditions };
}

/**
 * Admins: every order, newest first (id DESC: uuid v7 ids follow placement),
 * narrowed by the filter. One statement for the page, one COUNT when
 * totalCount is selected; lines, timelines and refunds of the page are
 * batched by the loaders.
 */
export async function listOrders(ctx: OrdersContext, args: PageArgs & { filter?: OrderFilter | null }): Promise<CountedConnection<Order>> {
  const first = pageSize(args.first);
  const after = decodeIdCursor(args.after);
  const where = orderListWhere(args.filter);
  const rows = await ctx.prisma.order.findMany({
    where: after ? { AND: [where, { id: { lt: after } }] } : where,
    orderBy: { id: 'desc' },
    take: first + 1,
  });
  primeOrders(ctx.loaders, rows);
  return idConnection(rows, first, () => ctx.prisma.order.count({ where }));
}

/** A user's orders, newest first (permissions.ts: the user or an admin). Batched across users. */
export async function ordersOfUser(ctx: OrdersContext, userId: string, args: PageArgs): Promise<CountedConnection<Order>> {
  const first = pageSize(args.first);
  const after = decodeIdCursor(args.after);
  if (!isUuid(userId)) return idConnection<Order>([], first, async () => 0);
  const rows = await ctx.loaders.ordersOfUserPage.load({ parent: userId, limit: first + 1, after });
  primeOrders(ctx.loaders, rows);
  // Batched: every user's count in a response is one grouped COUNT.
  return idConnection(rows, first, () => ctx.loaders.orderCountOfUser.load(userId));
}

export type OrderLineView = OrderLine & { currency: string };

/** The lines in cart order; each carries the order's currency for its Money fields. */
export async function linesOf(ctx: OrdersContext, order: Order): Promise<OrderLineView[]> {
  // A live state carries its order's lines, shared by every subscriber of the order (data/live.ts).
  const shared = (order as Order & Pick<LiveOrder, typeof SHARED_LINES>)[SHARED_LINES];
  const lines = shared ? await shared() : await ctx.loaders.linesByOrder.load(order.id);
  return lines.map((line) => ({ ...line, currency: order.currency }));
}

export interface TimelineEntry {
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string | null;
  actor: string;
  at: Date;
}

export async function timelineOf(ctx: OrdersContext, order: Order): Promise<TimelineEntry[]> {
  const rows: OrderTransition[] = await ctx.loaders.timelineByOrder.load(order.id);
  return rows.map((row) => ({ from: row.fromStatus, to: row.toStatus, reason: row.reason, actor: row.actor, at: row.at }));
}

export async function refundsOf(ctx: OrdersContext, order: Order): Promise<RefundRequest[]> {
  return ctx.loaders.refundsByOrder.load(order.id);
}

/** A refund's units, in line order (batched across every refund of a response). */
export async function refundLinesOf(ctx: OrdersContext, refund: RefundRequest): Promise<RefundRequestLine[]> {
  return ctx.loaders.refundLinesByRequest.load(refund.id);
}

/** The User behind a timeline actor: a user id is one; "system" (the saga) and "guest" are not. */
export const userOfActor = (actor: string): { id: string } | null => (isUuid(actor) ? { id: actor } : null);

export function shippingAddressOf(order: Order) {
  return {
    fullName: order.shipFullName,
    line1: order.shipLine1,
    line2: order.shipLine2,
    city: order.shipCity,
    region: order.shipRegion,
    postalCode: order.shipPostalCode,
    countryCode: order.shipCountryCode,
    phone: order.shipPhone,
  };
}
