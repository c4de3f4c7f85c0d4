import type { UsersContext } from '../context.js';
import * as admin from '../service/admin.service.js';
import * as audit from '../service/audit.service.js';
import { currentUser, findUser } from '../service/user.service.js';

export const Query = {
  me: (_parent: unknown, _args: unknown, ctx: UsersContext) => currentUser(ctx),
  user: (_parent: unknown, args: { id: string }, ctx: UsersContext) => findUser(ctx, args.id),
  users: (_parent: unknown, args: admin.UsersArgs, ctx: UsersContext) => admin.listUsers(ctx, args),
  usersAuditLog: (_parent: unknown, args: audit.AuditLogArgs, ctx: UsersContext) => audit.auditLog(ctx, args),
};
