/**
 * Per-request DataLoaders: every relation of an order (lines, timeline,
 * refunds) and every user's order page is fetched for a whole batch of
 * parents in one SQL statement, so a page of N orders costs the same number
 * of queries as one. Created per request (createContext), so caches never
 * leak between callers with different permissions.
 */
import { createGroupLoader, DataLoader, groupBy } from '@commerce/subgraph-kit';
import type { Order, OrderLine, OrderTransition, RefundRequest, RefundRequestLine } from '../generated/prisma/client.js';
import { isUuid } from './ids.js';
import type { OrdersDb } from './prisma.js';
import { orderCountsOfUsers, orderIdsOfUsers } from './queries.js';

/** A page request for one parent: the parent's key plus the page window. */
export interface PageKey {
  parent: string;
  limit: number;
  after: string | null;
}

const validIds = (keys: readonly string[]): string[] => [...new Set(keys.filter(isUuid))];

export function createLoaders(db: OrdersDb) {
  const orderById = new DataLoader<string, Order | null>(async (keys) => {
    const ids = validIds(keys);
    const rows = ids.length ? await db.order.findMany({ where: { id: { in: ids } } }) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return keys.map((key) => byId.get(key) ?? null);
  });

  const pageCacheKey = (key: PageKey): string => JSON.stringify([key.parent, key.limit, key.after]);
  /** One page per user; keys that share a window go into one statement (a listing: all of them). */
  const ordersOfUserPage = new DataLoader<PageKey, Order[], string>(
    async (keys) => {
      const pages = new Map<string, Order[]>();
      const windows = groupBy(keys, (key) => JSON.stringify([key.limit, key.after]));
      await Promise.all(
        [...windows.values()].map(async (group) => {
          const { limit, after } = group[0] ?? { limit: 0, after: null };
          const ids = await orderIdsOfUsers(db, validIds(group.map((key) => key.parent)), limit, after);
          const rows = ids.length ? await db.order.findMany({ where: { id: { in: ids.map((row) => row.id) } } }) : [];
          const byId = new Map(rows.map((row) => [row.id, row]));
          for (const [user, userIds] of groupBy(ids, (row) => row.key)) {
            pages.set(
              pageCacheKey({ parent: user, limit, after }),
              userIds.map((row) => byId.get(row.id)).filter((row): row is Order => row !== undefined),
            );
          }
        }),
      );
      return keys.map((key) => pages.get(pageCacheKey(key)) ?? []);
    },
    { cacheKeyFn: pageCacheKey },
  );

  /** How many orders each user has: one grouped COUNT for every user of a response. */
  const orderCountOfUser = new DataLoader<string, number>(async (keys) => {
    const counts = await orderCountsOfUsers(db, validIds(keys));
    const byUser = new Map(counts.map((row) => [row.key, row.count]));
    return keys.map((key) => byUser.get(key) ?? 0);
  });

  return {
    orderById,
    ordersOfUserPage,
    orderCountOfUser,
    linesByOrder: createGroupLoader<string, OrderLine>(
      (ids) => db.orderLine.findMany({ where: { orderId: { in: validIds(ids) } }, orderBy: [{ orderId: 'asc' }, { position: 'asc' }] }),
      (line) => line.orderId,
    ),
    timelineByOrder: createGroupLoader<string, OrderTransition>(
      (ids) => db.orderTransition.findMany({ where: { orderId: { in: validIds(ids) } }, orderBy: [{ orderId: 'asc' }, { seq: 'asc' }] }),
      (row) => row.orderId,
    ),
    refundsByOrder: createGroupLoader<string, RefundRequest>(
      (ids) =>
        db.refundRequest.findMany({
          where: { orderId: { in: validIds(ids) } },
          orderBy: [{ orderId: 'asc' }, { requestedAt: 'asc' }, { id: 'asc' }],
        }),
      (row) => row.orderId,
    ),
    /** The units of refund requests, in their order lines' order. */
    refundLinesByRequest: createGroupLoader<string, RefundRequestLine>(
      (ids) =>
        db.refundRequestLine.findMany({
          where: { refundRequestId: { in: validIds(ids) } },
          orderBy: [{ refundRequestId: 'asc' }, { orderLine: { position: 'asc' } }],
        }),
      (row) => row.refundRequestId,
    ),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;

/** Lets later lookups by id (entity references, mutations' results) hit the cache. */
export function primeOrders(loaders: OrdersLoaders, orders: readonly Order[]): void {
  for (const order of orders) loaders.orderById.clear(order.id).prime(order.id, order);
}

/** An order's lines as just written (in position order), so its `lines` field reads nothing. */
export function primeLines(loaders: OrdersLoaders, orderId: string, lines: readonly OrderLine[]): void {
  loaders.linesByOrder.clear(orderId).prime(orderId, [...lines]);
}
