/**
 * Discount codes as admins see them, and their uses: the SQL behind
 * discount-admin.service.ts. Lists are keyset
 * pages (newest first) plus a count: two statements per page, whatever its size.
 */
import type { DiscountCodeUse } from '../generated/prisma/client.js';
import type { DiscountCodeRow } from './loaders.js';
import type { CartDb, CartTx, Prisma } from './prisma.js';

export type { DiscountCodeUse };

export interface DiscountCodeListFilter {
  /** Part of the code, case-insensitive. */
  search?: string | null;
  active?: boolean | null;
}

/** Keyset position of a list: (createdAt, code) newest first. */
export interface CodeCursor {
  createdAt: Date;
  code: string;
}

function codeWhere(filter: DiscountCodeListFilter): Prisma.DiscountCodeWhereInput {
  const where: Prisma.DiscountCodeWhereInput = {};
  const search = filter.search?.trim();
  if (search) where.code = { contains: search.toUpperCase() };
  if (filter.active !== null && filter.active !== undefined) where.active = filter.active;
  return where;
}

export async function listDiscountCodes(
  db: CartDb,
  filter: DiscountCodeListFilter,
  take: number,
  after: CodeCursor | null,
): Promise<{ rows: DiscountCodeRow[]; totalCount: number }> {
  const where = codeWhere(filter);
  const page: Prisma.DiscountCodeWhereInput = after
    ? { AND: [where, { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, code: { lt: after.code } }] }] }
    : where;
  const [rows, totalCount] = await Promise.all([
    take === 0
      ? Promise.resolve([])
      : db.discountCode.findMany({ where: page, include: { amounts: true }, orderBy: [{ createdAt: 'desc' }, { code: 'desc' }], take }),
    db.discountCode.count({ where }),
  ]);
  return { rows, totalCount };
}

export function findDiscountCodeById(db: CartDb, id: string): Promise<DiscountCodeRow | null> {
  return db.discountCode.findUnique({ where: { id }, include: { amounts: true } });
}

/** The row locked for an update (SELECT … FOR UPDATE), with its amounts. */
export async function lockDiscountCodeById(tx: CartTx, id: string): Promise<DiscountCodeRow | null> {
  const locked = await tx.$queryRaw<{ code: string }[]>`SELECT code FROM discount_codes WHERE id = ${id}::uuid FOR UPDATE`;
  const code = locked[0]?.code;
  return code ? tx.discountCode.findUnique({ where: { code }, include: { amounts: true } }) : null;
}

export interface UseCursor {
  usedAt: Date;
  orderId: string;
}

export async function listUses(
  db: CartDb,
  code: string,
  take: number,
  after: UseCursor | null,
): Promise<{ rows: DiscountCodeUse[]; totalCount: number }> {
  const where: Prisma.DiscountCodeUseWhereInput = { code };
  const page: Prisma.DiscountCodeUseWhereInput = after
    ? { code, OR: [{ usedAt: { lt: after.usedAt } }, { usedAt: after.usedAt, orderId: { lt: after.orderId } }] }
    : where;
  const [rows, totalCount] = await Promise.all([
    take === 0 ? Promise.resolve([]) : db.discountCodeUse.findMany({ where: page, orderBy: [{ usedAt: 'desc' }, { orderId: 'desc' }], take }),
    db.discountCodeUse.count({ where }),
  ]);
  return { rows, totalCount };
}

/**
 * The first page of uses of many codes at once (a list of codes showing their
 * latest uses): one statement, `take` newest uses per code plus each code's total.
 */
export async function firstUsesOfCodes(
  db: CartDb,
  codes: readonly string[],
  take: number,
): Promise<Map<string, { rows: DiscountCodeUse[]; totalCount: number }>> {
  const found = await db.$queryRaw<{ order_id: string; code: string; user_id: string | null; email: string | null; cart_id: string; used_at: Date; total: bigint }[]>`
    SELECT order_id::text AS order_id, code, user_id::text AS user_id, email, cart_id::text AS cart_id, used_at, total
      FROM (
        SELECT u.*, row_number() OVER (PARTITION BY code ORDER BY used_at DESC, order_id DESC) AS position,
               count(*) OVER (PARTITION BY code) AS total
          FROM discount_code_uses u
         WHERE code = ANY(${[...codes]}::text[])
      ) ranked
     WHERE position <= ${take}::int
     ORDER BY code, used_at DESC, order_id DESC`;
  const pages = new Map<string, { rows: DiscountCodeUse[]; totalCount: number }>(codes.map((code) => [code, { rows: [], totalCount: 0 }]));
  for (const row of found) {
    const page = pages.get(row.code);
    if (!page) continue;
    page.totalCount = Number(row.total);
    page.rows.push({ orderId: row.order_id, code: row.code, userId: row.user_id, email: row.email, cartId: row.cart_id, usedAt: row.used_at });
  }
  return pages;
}

/**
 * Records that an order used a code and counts it on the code, in one
 * statement; a second call for the same order changes nothing.
 */
export async function recordDiscountUse(
  tx: CartTx,
  use: { orderId: string; code: string; userId: string | null; email: string | null; cartId: string; usedAt: Date },
): Promise<boolean> {
  const counted = await tx.$executeRaw`
    WITH inserted AS (
      INSERT INTO discount_code_uses (order_id, code, user_id, email, cart_id, used_at)
      SELECT ${use.orderId}::uuid, code, ${use.userId}::uuid, ${use.email?.toLowerCase() ?? null}, ${use.cartId}::uuid, ${use.usedAt}
        FROM discount_codes WHERE code = ${use.code}
      ON CONFLICT (order_id) DO NOTHING
      RETURNING code
    )
    UPDATE discount_codes SET times_used = times_used + 1 WHERE code IN (SELECT code FROM inserted)`;
  return counted > 0;
}

/**
 * Gives back the use of an order that ended before anything was charged: the
 * row goes and `times_used` drops, in one statement. Returns the code, or null
 * when the order used none (or it was already given back).
 */
export async function releaseDiscountUse(tx: CartTx, orderId: string): Promise<string | null> {
  const released = await tx.$queryRaw<{ code: string }[]>`
    WITH gone AS (DELETE FROM discount_code_uses WHERE order_id = ${orderId}::uuid RETURNING code)
    UPDATE discount_codes SET times_used = GREATEST(times_used - 1, 0) WHERE code IN (SELECT code FROM gone) RETURNING code`;
  return released[0]?.code ?? null;
}
