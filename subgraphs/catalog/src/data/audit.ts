/**
 * The audit log's SQL: entries are written with the caller's transaction
 * (Prisma), so an entry exists exactly when its change commits, and read
 * through the read path's pg client, newest first.
 */
import type { AuditEntry, Prisma } from '../generated/prisma/client.js';
import type { CatalogTx } from './prisma.js';
import type { CatalogSql } from './sql.js';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  changes: Prisma.InputJsonValue;
}

/** Appends entries in one statement (a bulk change writes one per product). */
export async function insertAuditEntries(tx: CatalogTx, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.auditEntry.createMany({ data: records.map((record) => ({ ...record })) });
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

const AUDIT_FILTER = `($1::text IS NULL OR a.target_type = $1)
    AND ($2::text IS NULL OR a.target_id = $2)
    AND ($3::uuid IS NULL OR a.actor_id = $3::uuid)
    AND ($4::text IS NULL OR a.action = $4)
    AND ($5::timestamptz IS NULL OR a.at >= $5)
    AND ($6::timestamptz IS NULL OR a.at < $6)`;

const AUDIT_PAGE = `SELECT a.id, a.actor_id AS "actorId", a.action, a.target_type AS "targetType", a.target_id AS "targetId",
    a.changes, a.at
  FROM audit_entries a
  WHERE ${AUDIT_FILTER}
    AND ($7::timestamptz IS NULL OR (a.at, a.id) < ($7::timestamptz, $8::uuid))
  ORDER BY a.at DESC, a.id DESC
  LIMIT $9`;

const AUDIT_COUNT = `SELECT count(*)::int AS "count" FROM audit_entries a WHERE ${AUDIT_FILTER}`;

const filterValues = (query: AuditQuery): unknown[] => [
  query.targetType,
  query.targetId,
  query.actorId,
  query.action,
  query.since,
  query.until,
];

/** Entries matching the filter, newest first, strictly after the cursor. */
export function auditEntries(sql: CatalogSql, query: AuditQuery, limit: number, after: AuditCursor | null): Promise<AuditEntry[]> {
  return sql.rows(AUDIT_PAGE, [...filterValues(query), after?.at ?? null, after?.id ?? null, limit]);
}

export async function auditEntryCount(sql: CatalogSql, query: AuditQuery): Promise<number> {
  const rows = await sql.rows<{ count: number }>(AUDIT_COUNT, filterValues(query));
  return rows[0]?.count ?? 0;
}
