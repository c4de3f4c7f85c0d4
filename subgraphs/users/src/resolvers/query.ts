import type { UsersContext } from '../context.js';
import * as admin from '../service/admin.service.js';
import { currentUser } from '../service/user.service.js';

export const Query = {
  me: (_parent: unknown, _args: unknown, ctx: UsersContext) => currentUser(ctx),
  users: (_parent: unknown, args: admin.UsersArgs, ctx: UsersContext) => admin.listUsers(ctx, args),
  usersAuditLog: (_parent: unknown, args: admin.AuditLogArgs, ctx: UsersContext) => admin.auditLog(ctx, args),
};
