/**
 * Hand-written SQL for the one read Prisma's query builder cannot express in
 * one statement: "the newest N orders of each user" for a whole batch of
 * users (a LATERAL join over the (user_id, id) index). It returns ids only;
 * the rows come from one `findMany` by id, so a page of orders for any number
 * of users costs two statements.
 */
import type { OrdersDb } from './prisma.js';

/** The key a batched row belongs to. */
export type Keyed<T> = T & { key: string };

/**
 * Ids of each user's orders, newest first (id DESC: uuid v7 ids are
 * time-ordered), at most `limit` per user, strictly older than `afterId` when given.
 */
export async function orderIdsOfUsers(
  db: OrdersDb,
  userIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<{ id: string }>[]> {
  if (userIds.length === 0) return [];
  return db.$queryRaw<Keyed<{ id: string }>[]>`
    SELECT users.user_id::text AS "key", o.id::text AS "id"
    FROM unnest(${userIds}::uuid[]) AS users(user_id)
    CROSS JOIN LATERAL (
      SELECT orders.id FROM orders
      WHERE orders.user_id = users.user_id
        AND (${afterId}::uuid IS NULL OR orders.id < ${afterId}::uuid)
      ORDER BY orders.id DESC
      LIMIT ${limit}
    ) o
    ORDER BY 1, o.id DESC`;
}
