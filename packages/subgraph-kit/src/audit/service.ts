/**
 * The admin audit log (issue 11's convention), written once for every domain
 * that keeps one: each admin mutation records who did what to which target
 * with the transaction that applies it, so an entry exists exactly when its
 * change commits; admins read a domain's entries newest first as a Relay
 * connection (`<domain>AuditLog`). A subgraph keeps its table's migration,
 * the AuditEntry SDL and a thin wiring file that passes its executor here.
 */
import { badInput, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeTimeIdCursor, encodeTimeIdCursor, toConnection, type Connection } from '../connections.js';
import { isUuid, timeOrderedUuid } from '../ids.js';
import { auditCount, auditPage, insertAuditEntries, type AuditEntryRow, type AuditQuery, type AuditTarget, type RawQueryExecutor } from './data.js';

/** The signed-in user applying an admin mutation (the subgraph's permissions already required one). */
export function auditActor(ctx: { identity?: { userId: string } | null }): string {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity.userId;
}

/**
 * Records `action` by `actorId`, one entry per target, with the caller's
 * transaction `tx`. Ids are uuid v7 of the entry's instant.
 */
export async function recordAudit(tx: RawQueryExecutor, actorId: string, action: string, targets: AuditTarget | readonly AuditTarget[]): Promise<void> {
  const at = new Date();
  const list: readonly AuditTarget[] = Array.isArray(targets) ? targets : [targets as AuditTarget];
  await insertAuditEntries(tx, {
    actorId,
    action,
    at,
    targets: list.map((target) => ({ id: timeOrderedUuid(at.getTime()), targetType: target.targetType, targetId: target.targetId, changes: target.changes })),
  });
}

/** The AuditLogFilter input, as every domain's schema declares it. */
export interface AuditLogFilter {
  targetType?: string | null;
  targetId?: string | null;
  actorId?: string | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export interface AuditLogArgs {
  first?: number | null;
  after?: string | null;
  filter?: AuditLogFilter | null;
}

/** Where the domains' logs differ on purpose; everything else is the same for all. */
export interface AuditLogOptions {
  /**
   * A filter `actorId` that is not a user id: BAD_USER_INPUT on filter.actorId
   * ('reject', the default), or an empty page as for any id nobody has ('match-nothing').
   */
  malformedActorId?: 'reject' | 'match-nothing';
  /** `until` not after `since` is BAD_USER_INPUT on filter.until, rather than an empty page. */
  rejectEmptyPeriod?: boolean;
}

/** A page of entries; `countTotal` runs the COUNT only when `totalCount` is selected. */
export type AuditConnection = Connection<AuditEntryRow> & { countTotal: () => Promise<number> };

const cursorOf = (row: AuditEntryRow): string => encodeTimeIdCursor(row.at, row.id);

/** Admin: the entries of `db`'s audit log matching the filter, newest first (at, then id). */
export async function listAuditEntries(db: RawQueryExecutor, args: AuditLogArgs, options: AuditLogOptions = {}): Promise<AuditConnection> {
  const first = clampFirst(args.first);
  const after = decodeTimeIdCursor(args.after);
  const filter = args.filter ?? {};
  if (filter.actorId != null && !isUuid(filter.actorId)) {
    if (options.malformedActorId === 'match-nothing') return { ...toConnection([], first, cursorOf), countTotal: async () => 0 };
    throw badInput('"actorId" is not a user id.', 'filter.actorId');
  }
  if (options.rejectEmptyPeriod && filter.since && filter.until && filter.until <= filter.since) {
    throw badInput('until must be after since.', 'filter.until');
  }
  const query: AuditQuery = {
    targetType: filter.targetType ?? null,
    targetId: filter.targetId ?? null,
    actorId: filter.actorId ?? null,
    action: filter.action ?? null,
    since: filter.since ?? null,
    until: filter.until ?? null,
  };
  const rows = await auditPage(db, query, first + 1, after);
  return { ...toConnection(rows, first, cursorOf), countTotal: () => auditCount(db, query) };
}
