/**
 * The orders audit log: every admin mutation this subgraph applies (fulfil,
 * ship, mark delivered, cancel, refund) leaves one entry — who, what, which
 * order, what changed — in the mutation's own transaction, so an entry exists
 * exactly when the change does. Use `recordAudit` from any new admin mutation.
 * `ordersAuditLog` reads them (admins only, permissions.ts).
 */
import { badInput } from '@commerce/errors';
import type { OrdersContext } from '../context.js';
import type { AuditEntry, Prisma } from '../generated/prisma/client.js';
import { auditCount, auditPage, auditWhere, insertAuditEntry, type AuditQuery } from '../data/audit.js';
import { isUuid } from '../data/ids.js';
import type { OrdersTx } from '../data/prisma.js';
import { decodeIdCursor, idConnection, pageSize, type CountedConnection, type PageArgs } from './pagination.js';

/** The `domain` every entry of this subgraph reports. */
export const AUDIT_DOMAIN = 'orders';

export interface AuditRecord {
  /** The mutation's name, e.g. shipOrder. */
  action: string;
  targetType: 'Order';
  targetId: string;
  /** The changed fields before and after, or the mutation's input (JSON). */
  changes: Prisma.InputJsonValue;
}

/** Writes the entry of an admin mutation in its transaction; the actor is the caller. */
export async function recordAudit(tx: OrdersTx, ctx: Pick<OrdersContext, 'identity'>, record: AuditRecord): Promise<void> {
  if (!ctx.identity) throw new Error(`${record.action} needs an identity to be audited (permissions.ts)`);
  await insertAuditEntry(tx, { actorId: ctx.identity.userId, ...record });
}

/** Before/after of a status change, as the entries of fulfil, ship, deliver and cancel record it. */
export function statusChange(
  before: { status: string; trackingNumber?: string | null },
  after: { status: string; statusReason?: string | null; trackingNumber?: string | null },
): Prisma.InputJsonValue {
  const changed = (value: string | null | undefined, old: string | null | undefined) => value !== undefined && value !== old;
  return {
    before: {
      status: before.status,
      ...(changed(after.trackingNumber, before.trackingNumber) ? { trackingNumber: before.trackingNumber ?? null } : {}),
    },
    after: {
      status: after.status,
      ...(after.statusReason ? { statusReason: after.statusReason } : {}),
      ...(changed(after.trackingNumber, before.trackingNumber) ? { trackingNumber: after.trackingNumber ?? null } : {}),
    },
  };
}

export interface AuditLogFilter extends AuditQuery {}

/** Admins: the log, newest first, filtered (all given conditions hold). totalCount is counted only when selected. */
export async function auditLog(ctx: OrdersContext, args: PageArgs & { filter?: AuditLogFilter | null }): Promise<CountedConnection<AuditEntry>> {
  const first = pageSize(args.first);
  const after = decodeIdCursor(args.after);
  const filter = args.filter ?? {};
  if (filter.actorId && !isUuid(filter.actorId)) throw badInput('actorId is not a user id.', 'filter.actorId');
  if (filter.since && filter.until && filter.until <= filter.since) throw badInput('until must be after since.', 'filter.until');
  const where = auditWhere(filter);
  const rows = await auditPage(ctx.prisma, where, first + 1, after);
  return idConnection(rows, first, () => auditCount(ctx.prisma, where));
}

/** An entry as the shared AuditEntry type shows it. */
export const auditEntryView = {
  domain: () => AUDIT_DOMAIN,
  actor: (entry: AuditEntry) => ({ id: entry.actorId }),
  changes: (entry: AuditEntry) => JSON.stringify(entry.changes),
};
