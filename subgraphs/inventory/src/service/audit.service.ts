/**
 * Inventory's audit log (issue 11's convention, written once in
 * @commerce/subgraph-kit): every admin mutation (adjustStock,
 * setLowStockThreshold) records who changed what, in the transaction that
 * applies it; admins read it newest first through `inventoryAuditLog`.
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
} from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import type { InventoryTx } from '../data/prisma.js';

export type { AuditConnection, AuditLogArgs, AuditTarget } from '@commerce/subgraph-kit';

/** Records `action` on the target with the caller's transaction; the actor is the signed-in admin. */
export function recordAudit(ctx: Pick<InventoryContext, 'identity'>, tx: InventoryTx, action: string, target: AuditTarget): Promise<void> {
  return recordAuditEntries(tx, auditActor(ctx), action, target);
}

/** Admin: entries matching the filter, newest first. */
export const auditLog = (ctx: InventoryContext, args: AuditLogArgs): Promise<AuditConnection> => listAuditEntries(ctx.prisma, args);

export const AuditEntryResolvers = auditEntryResolvers('inventory');
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
