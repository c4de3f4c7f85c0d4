import type { UsersContext } from '../context.js';
import * as admin from '../service/admin.service.js';
import { findUser } from '../service/user.service.js';

/** The console's connections and the shared AuditEntry type. */
export const UserConnection = {
  totalCount: (connection: admin.UserConnection, _args: unknown, ctx: UsersContext) => admin.usersTotal(ctx, connection),
};

export const AuditEntry = {
  domain: () => 'users',
  changes: (row: admin.AuditRow) => JSON.stringify(row.changes),
  /** Null once the admin's account was deleted. */
  actor: (row: admin.AuditRow, _args: unknown, ctx: UsersContext) => findUser(ctx, row.actorId),
};

export const AuditEntryConnection = {
  totalCount: (connection: admin.AuditConnection, _args: unknown, ctx: UsersContext) => admin.auditTotal(ctx, connection),
};
