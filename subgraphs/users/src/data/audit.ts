/**
 * The audit log's SQL (issue 11's convention): an entry is written with the
 * caller's transaction, so it exists exactly when its change commits; read
 * newest first, by keyset on (at, id).
 */
import { Prisma } from '../generated/prisma/client.ts';
import type { UsersDb, UsersTx } from './prisma.js';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  changes: Prisma.InputJsonValue;
}

export interface AuditRow {
  id: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  changes: unknown;
  at: Date;
}

export async function insertAuditEntry(tx: UsersTx, record: AuditRecord): Promise<void> {
  await tx.auditEntry.create({ data: record });
}

export interface AuditQuery {
  targetType: string | null;
  targetId: string | null;
  actorId: string | null;
  action: string | null;
  since: Date | null;
  until: Date | null;
}

/** Keyset position in the (at DESC, id DESC) ordering. */
export interface AuditCursor {
  at: Date;
  id: string;
}

const where = (query: AuditQuery): Prisma.Sql => Prisma.sql`
  (${query.targetType}::text IS NULL OR a.target_type = ${query.targetType}::text)
  AND (${query.targetId}::text IS NULL OR a.target_id = ${query.targetId}::text)
  AND (${query.actorId}::uuid IS NULL OR a.actor_id = ${query.actorId}::uuid)
  AND (${query.action}::text IS NULL OR a.action = ${query.action}::text)
  AND (${query.since}::timestamptz IS NULL OR a.at >= ${query.since}::timestamptz)
  AND (${query.until}::timestamptz IS NULL OR a.at < ${query.until}::timestamptz)`;

/** Entries matching the filter, newest first, strictly after the cursor. */
export function auditPage(db: UsersDb, query: AuditQuery, limit: number, after: AuditCursor | null): Promise<AuditRow[]> {
  const keyset = after ? Prisma.sql`AND (a.at, a.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
  return db.$queryRaw<AuditRow[]>`
    SELECT a.id::text AS id, a.actor_id::text AS "actorId", a.action, a.target_type AS "targetType",
           a.target_id AS "targetId", a.changes, a.at
      FROM audit_entries a
     WHERE ${where(query)} ${keyset}
     ORDER BY a.at DESC, a.id DESC
     LIMIT ${limit}`;
}

export async function auditCount(db: UsersDb, query: AuditQuery): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM audit_entries a WHERE ${where(query)}`;
  return row?.count ?? 0;
}
