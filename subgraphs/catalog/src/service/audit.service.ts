/**
 * The catalog's audit log (issue 11's convention): every admin mutation
 * records who did what to which target, in the transaction that applies it,
 * and admins read the log newest first through `catalogAuditLog`.
 */
import { AppError, ErrorCode, badInput, unauthenticated } from '@commerce/errors';
import { decodeCursor, encodeCursor, type Connection } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { AuditEntry, Prisma } from '../generated/prisma/client.js';
import { auditEntries, auditEntryCount, insertAuditEntries, type AuditCursor, type AuditQuery } from '../data/audit.js';
import { isUuid } from '../data/ids.js';
import type { CatalogTx } from '../data/prisma.js';
import { pageSize } from './pagination.js';

export interface AuditTarget {
  targetType: string;
  targetId: string;
  changes: Prisma.InputJsonValue;
}

export interface AuditLogFilter {
  targetType?: string | null;
  targetId?: string | null;
  actorId?: string | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export type AuditConnection = Connection<AuditEntry> & { query: AuditQuery };

/** The signed-in admin applying a mutation (the permissions already required one). */
function actorOf(ctx: CatalogContext): string {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity.userId;
}

/** Records `action` once per target, with the caller's transaction. */
export async function recordAudit(
  ctx: CatalogContext,
  tx: CatalogTx,
  action: string,
  targets: readonly AuditTarget[],
): Promise<void> {
  const actorId = actorOf(ctx);
  await insertAuditEntries(
    tx,
    targets.map((target) => ({ actorId, action, ...target })),
  );
}

/** The changed fields only, as { field: { before, after } }. */
export function diff<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): Prisma.InputJsonObject {
  const changes: Record<string, Prisma.InputJsonValue> = {};
  for (const field of fields) {
    const was = jsonOf(before[field]);
    const is = jsonOf(after[field]);
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[field] = { before: was, after: is } as Prisma.InputJsonObject;
  }
  return changes;
}

function jsonOf(value: unknown): Prisma.InputJsonValue {
  if (value instanceof Date) return value.toISOString();
  // null is a JSON value here (inside an object), which Prisma's input type does not spell.
  return (value ?? null) as Prisma.InputJsonValue;
}

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');

function decodeAuditCursor(after: string | null | undefined): AuditCursor | null {
  if (after == null) return null;
  const [at, id, ...rest] = decodeCursor(after);
  const date = typeof at === 'string' ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id) || rest.length > 0) throw invalidCursor();
  return { at: date, id };
}

const encodeAuditCursor = (entry: AuditEntry): string => encodeCursor([entry.at.toISOString(), entry.id]);

/** Admin: the catalog's audit entries matching the filter, newest first. */
export async function auditLog(
  ctx: CatalogContext,
  args: { first?: number | null; after?: string | null; filter?: AuditLogFilter | null },
): Promise<AuditConnection> {
  const first = pageSize(args.first, 20);
  const after = decodeAuditCursor(args.after);
  const filter = args.filter ?? {};
  if (filter.actorId != null && !isUuid(filter.actorId)) throw badInput('actorId is not a user id.', 'filter.actorId');
  const query: AuditQuery = {
    targetType: filter.targetType ?? null,
    targetId: filter.targetId ?? null,
    actorId: filter.actorId ?? null,
    action: filter.action ?? null,
    since: filter.since ?? null,
    until: filter.until ?? null,
  };
  const rows = await auditEntries(ctx.sql, query, first + 1, after);
  const page = rows.slice(0, first);
  return {
    edges: page.map((node) => ({ cursor: encodeAuditCursor(node), node })),
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: page[0] ? encodeAuditCursor(page[0]) : null,
      endCursor: page.at(-1) ? encodeAuditCursor(page.at(-1) as AuditEntry) : null,
    },
    query,
  };
}

export const auditCountOf = (ctx: CatalogContext, connection: AuditConnection): Promise<number> =>
  auditEntryCount(ctx.sql, connection.query);

/** `changes` as JSON text, as the shared AuditEntry type serves it. */
export const changesText = (entry: AuditEntry): string => JSON.stringify(entry.changes);
