/**
 * The catalog's audit log (issue 11's convention, written once in
 * @commerce/subgraph-kit): every admin mutation records who did what to which
 * target, in the transaction that applies it, and admins read the log newest
 * first through `catalogAuditLog`. What stays here is the catalog's own: how
 * its mutations describe a change (`diff`) and which clients run the SQL.
 */
import {
  auditActor,
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  recordAudit as recordAuditEntries,
  type AuditConnection,
  type AuditLogArgs,
  type AuditTarget,
  type RawQueryExecutor,
} from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { CatalogTx } from '../data/prisma.js';

export type { AuditConnection, AuditLogFilter, AuditTarget } from '@commerce/subgraph-kit';

/** Records `action` once per target, with the caller's transaction; the actor is the signed-in admin. */
export function recordAudit(ctx: CatalogContext, tx: CatalogTx, action: string, targets: readonly AuditTarget[]): Promise<void> {
  return recordAuditEntries(tx, auditActor(ctx), action, targets);
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

/** The log is read like the catalog's other reads: over the read path's pg client, not Prisma. */
const readPath = (ctx: CatalogContext): RawQueryExecutor => ({
  $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => ctx.sql.rows(query, values) as Promise<T>,
});

/** Admin: the catalog's audit entries matching the filter, newest first. */
export const auditLog = (ctx: CatalogContext, args: AuditLogArgs): Promise<AuditConnection> => listAuditEntries(readPath(ctx), args);

export const AuditEntryResolvers = auditEntryResolvers('catalog');
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
