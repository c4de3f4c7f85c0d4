/**
 * The users domain's audit log (issue 11's convention, written once in
 * @commerce/subgraph-kit): every admin mutation (setUserRole) is recorded in
 * the transaction that applies it, and admins read it newest first through
 * `usersAuditLog`. The users subgraph owns User, so an entry's actor is the
 * account itself (null once deleted), not a reference.
 */
import { auditConnectionResolvers, auditEntryResolvers, listAuditEntries, type AuditConnection, type AuditEntryRow, type AuditLogArgs } from '@commerce/subgraph-kit';
import type { ServiceContext, UsersContext } from '../context.js';
import { findUser } from './user.service.js';

export { recordAudit } from '@commerce/subgraph-kit';
export type { AuditConnection, AuditLogArgs } from '@commerce/subgraph-kit';

/** Admin: entries matching the filter, newest first. */
export const auditLog = (ctx: ServiceContext, args: AuditLogArgs): Promise<AuditConnection> => listAuditEntries(ctx.db, args);

export const AuditEntryResolvers = {
  ...auditEntryResolvers('users'),
  /** Null once the admin's account was deleted. */
  actor: (row: AuditEntryRow, _args: unknown, ctx: UsersContext) => findUser(ctx, row.actorId),
};
export const AuditEntryConnectionResolvers = auditConnectionResolvers;
