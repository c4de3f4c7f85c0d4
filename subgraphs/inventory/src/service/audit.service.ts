/**
 * Inventory's audit log (issue 11's convention): every admin mutation
 * (adjustStock, setLowStockThreshold) records who changed what, in the
 * transaction that applies it; admins read it newest first through
 * `inventoryAuditLog`.
 */
import { AppError, badInput, ErrorCode, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { auditCount, auditPage, insertAuditEntry, type AuditCursor, type AuditQuery, type AuditRow } from '../data/audit.js';
import { isUuid } from '../data/ids.js';
import type { InventoryTx } from '../data/prisma.js';
import type { Prisma } from '../generated/prisma/client.js';

export type { AuditRow };

export interface AuditTarget {
  targetType: string;
  targetId: string;
  changes: Prisma.InputJsonObject;
}

/** Records `action` on the target with the caller's transaction; the actor is the signed-in admin. */
export async function recordAudit(ctx: Pick<InventoryContext, 'identity'>, tx: InventoryTx, action: string, target: AuditTarget): Promise<void> {
  if (!ctx.identity) throw unauthenticated();
  await insertAuditEntry(tx, { actorId: ctx.identity.userId, action, ...target });
}

export interface AuditLogArgs {
  first?: number | null;
  after?: string | null;
  filter?: {
    targetType?: string | null;
    targetId?: string | null;
    actorId?: string | null;
    action?: string | null;
    since?: Date | null;
    until?: Date | null;
  } | null;
}

export type AuditConnection = Connection<AuditRow> & { query: AuditQuery };

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');

function decodeAuditCursor(after: string | null | undefined): AuditCursor | null {
  if (after === null || after === undefined) return null;
  const [at, id, ...rest] = decodeCursor(after);
  const date = typeof at === 'string' ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id) || rest.length > 0) throw invalidCursor();
  return { at: date, id };
}

/** Admin: entries matching the filter, newest first. */
export async function auditLog(ctx: InventoryContext, args: AuditLogArgs): Promise<AuditConnection> {
  const first = clampFirst(args.first);
  const after = decodeAuditCursor(args.after);
  const filter = args.filter ?? {};
  if (filter.actorId != null && !isUuid(filter.actorId)) throw badInput('"actorId" is not a user id.', 'filter.actorId');
  const query: AuditQuery = {
    targetType: filter.targetType ?? null,
    targetId: filter.targetId ?? null,
    actorId: filter.actorId?.toLowerCase() ?? null,
    action: filter.action ?? null,
    since: filter.since ?? null,
    until: filter.until ?? null,
  };
  const rows = await auditPage(ctx.prisma, query, first + 1, after);
  return { ...toConnection(rows, first, (row) => encodeCursor([row.at.toISOString(), row.id])), query };
}

/** totalCount: one COUNT, only when asked for. */
export const auditTotal = (ctx: InventoryContext, connection: AuditConnection): Promise<number> => auditCount(ctx.prisma, connection.query);

/** The shared AuditEntry type's fields that are not columns. */
export const AuditEntryFields = {
  domain: () => 'inventory',
  changes: (row: AuditRow) => JSON.stringify(row.changes),
  actor: (row: AuditRow) => ({ __typename: 'User', id: row.actorId }),
};
