import type { UsersContext } from '../context.js';
import * as admin from '../service/admin.service.js';
import * as audit from '../service/audit.service.js';

/** The console's connections and the shared AuditEntry type. */
export const UserConnection = {
  totalCount: (connection: admin.UserConnection, _args: unknown, ctx: UsersContext) => admin.usersTotal(ctx, connection),
};

export const AuditEntry = audit.AuditEntryResolvers;
export const AuditEntryConnection = audit.AuditEntryConnectionResolvers;
