/**
 * cartAuditLog: the admin mutations the cart applied (discount codes), newest
 * first. Each entry was written in the transaction of its change
 * (discount-admin.service.ts). Admins only.
 */
import { badInput } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection } from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import { listAudit, type AuditEntry, type AuditFilter } from '../data/discount-codes.js';
import { isUuid } from '../data/ids.js';
import { requireAdmin, type Connected } from './discount-admin.service.js';

const cursorOf = (row: AuditEntry): string => encodeCursor([row.at.toISOString(), row.id]);

export async function cartAuditLog(
  ctx: CartContext,
  args: { first?: number | null; after?: string | null; filter?: AuditFilter | null },
): Promise<Connected<AuditEntry>> {
  requireAdmin(ctx);
  const first = clampFirst(args.first);
  let after: { at: Date; id: string } | null = null;
  if (args.after) {
    const [at, id] = decodeCursor(args.after);
    const date = typeof at === 'string' ? new Date(at) : null;
    if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id)) throw badInput('The cursor is not valid.', 'after');
    after = { at: date, id };
  }
  const filter = args.filter ?? {};
  if (filter.actorId && !isUuid(filter.actorId)) return { ...toConnection([], first, cursorOf), totalCount: 0 };
  const { rows, totalCount } = await listAudit(ctx.prisma, filter, first === 0 ? 0 : first + 1, after);
  return { ...toConnection(rows, first, cursorOf), totalCount };
}

/** The GraphQL AuditEntry's computed fields. */
export const auditEntryFields = {
  domain: () => 'cart',
  actor: (entry: AuditEntry) => ({ __typename: 'User', id: entry.actorId }),
  changes: (entry: AuditEntry) => JSON.stringify(entry.changes),
};
