/**
 * The audit_entries table: one row per admin mutation, written in the
 * mutation's transaction, read newest first (id DESC: uuid v7 ids are
 * time-ordered) with a keyset cursor.
 */
import { timeOrderedUuid } from '@commerce/subgraph-kit';
import type { AuditEntry, Prisma } from '../generated/prisma/client.js';
import type { OrdersDb, OrdersTx } from './prisma.js';

export interface NewAuditEntry {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  changes: Prisma.InputJsonValue;
}

export function insertAuditEntry(tx: OrdersTx, entry: NewAuditEntry, at: Date = new Date()): Promise<AuditEntry> {
  return tx.auditEntry.create({ data: { id: timeOrderedUuid(at.getTime()), ...entry, at } });
}

export interface AuditQuery {
  targetType?: string | null;
  targetId?: string | null;
  actorId?: string | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export function auditWhere(query: AuditQuery): Prisma.AuditEntryWhereInput {
  return {
    ...(query.targetType ? { targetType: query.targetType } : {}),
    ...(query.targetId ? { targetId: query.targetId } : {}),
    ...(query.actorId ? { actorId: query.actorId } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.since || query.until ? { at: { ...(query.since ? { gte: query.since } : {}), ...(query.until ? { lt: query.until } : {}) } } : {}),
  };
}

/** Up to `limit` entries, newest first, strictly older than the entry `afterId` when given. */
export function auditPage(db: OrdersDb, where: Prisma.AuditEntryWhereInput, limit: number, afterId: string | null): Promise<AuditEntry[]> {
  return db.auditEntry.findMany({
    where: afterId ? { AND: [where, { id: { lt: afterId } }] } : where,
    orderBy: { id: 'desc' },
    take: limit,
  });
}

export const auditCount = (db: OrdersDb, where: Prisma.AuditEntryWhereInput): Promise<number> => db.auditEntry.count({ where });
