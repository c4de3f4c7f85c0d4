/**
 * The orders audit log: every admin mutation this subgraph applies (fulfil,
 * ship, mark delivered, cancel, refund) leaves one entry — who, what, which
 * order, what changed — in the mutation's own transaction, so an entry exists
 * exactly when the change does. Use `recordAudit` from any new admin mutation.
 * `ordersAuditLog` reads them (admins only, permissions.ts). The log itself is
 * @commerce/subgraph-kit's; what is the orders' own is how a status change is
 * described and that an empty period is refused.
 */
import {
  auditActor,
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  recordAudit as recordAuditEntries,
  type AuditConnection,
  type AuditLogArgs,
} from '@commerce/subgraph-kit';
import type { OrdersContext } from '../context.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { OrdersTx } from '../data/prisma.js';

export type { AuditLogFilter } from '@commerce/subgraph-kit';

export interface AuditRecord {
  /** The mutation's name, e.g. shipOrder. */
  action: string;
  targetType: 'Order';
  targetId: string;
  /** The changed fields before and after, or the mutation's input (JSON). */
  changes: Prisma.InputJsonValue;
}

/** Writes the entry of an admin mutation in its transaction; the actor is the caller. */
export function recordAudit(tx: OrdersTx, ctx: Pick<OrdersContext, 'identity'>, record: AuditRecord): Promise<void> {
  const { action, ...target } = record;
  return recordAuditEntries(tx, auditActor(ctx), action, target);
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

/** Admins: the log, newest first, filtered (all given conditions hold); `until` must be after `since`. totalCount is counted only when selected. */
export const auditLog = (ctx: OrdersContext, args: AuditLogArgs): Promise<AuditConnection> =>
  listAuditEntries(ctx.prisma, args, { rejectEmptyPeriod: true });

export const AuditEntryResolvers = auditEntryResolvers('orders');
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
