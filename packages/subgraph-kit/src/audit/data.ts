/**
 * The audit log's SQL, the same for every domain that keeps one: each has its
 * own `audit_entries` table (its own migration) of the same shape. Statements
 * are constants with positional values, sent through whatever runs raw SQL
 * for the caller: its Prisma client, its open Prisma transaction (so an entry
 * commits with the change it records), or a pg-backed reader.
 */
import type { TimeIdCursor } from '../connections.js';

/** Runs one constant statement with positional values ($1, $2, ...). PrismaClient and Prisma.TransactionClient satisfy it. */
export interface RawQueryExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** One row of `audit_entries`, as the shared AuditEntry GraphQL type is resolved from. */
export interface AuditEntryRow {
  id: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  /** The JSON stored in `changes` (jsonb). */
  changes: unknown;
  at: Date;
}

/** What one entry says about its target. */
export interface AuditTarget {
  targetType: string;
  targetId: string;
  /** Before/after of what changed, or the mutation's input: any JSON value. */
  changes: unknown;
}

/** Entries of one action by one actor at one instant, one per target, each with its own id. */
export interface NewAuditEntries {
  actorId: string;
  action: string;
  at: Date;
  targets: readonly (AuditTarget & { id: string })[];
}

// One statement however many targets: they travel as one JSON array (a bulk change writes one entry per product).
const INSERT_ENTRIES = `INSERT INTO audit_entries (id, actor_id, action, target_type, target_id, changes, at)
  SELECT e.id, $1::uuid, $2::text, e."targetType", e."targetId", e.changes, $3::timestamptz
    FROM jsonb_to_recordset($4::jsonb) AS e(id uuid, "targetType" text, "targetId" text, changes jsonb)`;

export async function insertAuditEntries(tx: RawQueryExecutor, entries: NewAuditEntries): Promise<void> {
  if (entries.targets.length === 0) return;
  await tx.$queryRawUnsafe(INSERT_ENTRIES, entries.actorId, entries.action, entries.at, JSON.stringify(entries.targets));
}

/** Conditions that all hold; null means "any". */
export interface AuditQuery {
  targetType: string | null;
  targetId: string | null;
  actorId: string | null;
  action: string | null;
  /** Inclusive. */
  since: Date | null;
  /** Exclusive. */
  until: Date | null;
}

const AUDIT_FILTER = `($1::text IS NULL OR a.target_type = $1::text)
    AND ($2::text IS NULL OR a.target_id = $2::text)
    AND ($3::uuid IS NULL OR a.actor_id = $3::uuid)
    AND ($4::text IS NULL OR a.action = $4::text)
    AND ($5::timestamptz IS NULL OR a.at >= $5::timestamptz)
    AND ($6::timestamptz IS NULL OR a.at < $6::timestamptz)`;

const AUDIT_PAGE = `SELECT a.id::text AS id, a.actor_id::text AS "actorId", a.action, a.target_type AS "targetType",
    a.target_id AS "targetId", a.changes, a.at
  FROM audit_entries a
  WHERE ${AUDIT_FILTER}
    AND ($7::timestamptz IS NULL OR (a.at, a.id) < ($7::timestamptz, $8::uuid))
  ORDER BY a.at DESC, a.id DESC
  LIMIT $9::int`;

const AUDIT_COUNT = `SELECT count(*)::int AS "count" FROM audit_entries a WHERE ${AUDIT_FILTER}`;

const filterValues = (query: AuditQuery): unknown[] => [query.targetType, query.targetId, query.actorId, query.action, query.since, query.until];

/** Up to `limit` entries matching the query, newest first, strictly after the cursor. */
export function auditPage(db: RawQueryExecutor, query: AuditQuery, limit: number, after: TimeIdCursor | null): PromiseLike<AuditEntryRow[]> {
  return db.$queryRawUnsafe<AuditEntryRow[]>(AUDIT_PAGE, ...filterValues(query), after?.at ?? null, after?.id ?? null, limit);
}

export async function auditCount(db: RawQueryExecutor, query: AuditQuery): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ count: number }[]>(AUDIT_COUNT, ...filterValues(query));
  return rows[0]?.count ?? 0;
}
