/**
 * AdminService: what administrators do with accounts from the console —
 * list and search customers, grant or revoke the admin role. Each admin
 * mutation is recorded in the audit log (audit.service.ts) in the
 * transaction that applies it.
 *
 * Role changes end the user's sessions: every refresh token is revoked, so
 * the next sign-in issues tokens with the new role and that role's session
 * lifetime (session-policy.ts). An access token already issued keeps its role
 * until it expires (5 minutes for an administrator's).
 */
import { AppError, badInput, ErrorCode, notFound, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { ServiceContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { Prisma, Role } from '../generated/prisma/client.ts';
import { OMIT_PASSWORD, type UserRecord } from '../data/records.js';
import { recordAudit } from './audit.service.js';
import { rememberUser } from './user.service.js';

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');

// ---------------------------------------------------------------- customers list

export interface UsersArgs {
  first?: number | null;
  after?: string | null;
  filter?: { search?: string | null; role?: Role | null } | null;
}

export type UserConnection = Connection<UserRecord> & { where: Prisma.UserWhereInput };

const MAX_SEARCH_LENGTH = 254;

/** Admin: accounts newest first (ids are uuid v7), by email or name text and role. */
export async function listUsers(ctx: ServiceContext, args: UsersArgs): Promise<UserConnection> {
  const first = clampFirst(args.first);
  let after: string | null = null;
  if (args.after !== null && args.after !== undefined) {
    const [id, ...rest] = decodeCursor(args.after);
    if (typeof id !== 'string' || !isUuid(id) || rest.length > 0) throw invalidCursor();
    after = id;
  }
  const search = args.filter?.search?.trim() || null;
  if (search !== null && search.length > MAX_SEARCH_LENGTH) throw badInput(`"search" is at most ${MAX_SEARCH_LENGTH} characters.`, 'filter.search');
  const where: Prisma.UserWhereInput = {
    ...(search ? { OR: [{ email: { contains: search, mode: 'insensitive' } }, { name: { contains: search, mode: 'insensitive' } }] } : {}),
    ...(args.filter?.role ? { role: args.filter.role } : {}),
  };
  const rows = await ctx.db.user.findMany({
    where: after ? { AND: [where, { id: { lt: after } }] } : where,
    orderBy: { id: 'desc' },
    take: first + 1,
    omit: OMIT_PASSWORD,
  });
  for (const row of rows) rememberUser(ctx, row);
  return { ...toConnection(rows, first, (row) => encodeCursor([row.id])), where };
}

export const usersTotal = (ctx: ServiceContext, connection: UserConnection): Promise<number> => ctx.db.user.count({ where: connection.where });

// ---------------------------------------------------------------- roles

export const cannotChangeOwnRole = (): AppError =>
  new AppError(ErrorCode.FORBIDDEN, 'You cannot revoke your own admin role. Ask another administrator to do it.', {
    details: { reason: 'CANNOT_CHANGE_OWN_ROLE', field: 'userId' },
  });

/**
 * Admin: sets a user's role. Refuses an admin's own demotion (FORBIDDEN,
 * reason CANNOT_CHANGE_OWN_ROLE). In one transaction: the row is locked and
 * changed, every refresh token of the user revoked, and the change recorded
 * in the audit log. The same role again is a no-op that records nothing.
 */
export async function setUserRole(ctx: ServiceContext, input: { userId: string; role: Role }): Promise<UserRecord> {
  if (!ctx.identity) throw unauthenticated();
  const actorId = ctx.identity.userId;
  if (!isUuid(input.userId)) throw notFound('User', input.userId);
  const userId = input.userId.toLowerCase();
  if (userId === actorId.toLowerCase() && input.role !== 'ADMIN') throw cannotChangeOwnRole();
  const now = new Date();
  const user = await ctx.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ role: Role }[]>`SELECT role::text AS role FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
    if (!locked) throw notFound('User', userId);
    if (locked.role === input.role) return tx.user.findUniqueOrThrow({ where: { id: userId }, omit: OMIT_PASSWORD });
    const updated = await tx.user.update({ where: { id: userId }, data: { role: input.role }, omit: OMIT_PASSWORD });
    const revoked = await tx.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    await recordAudit(tx, actorId, 'setUserRole', {
      targetType: 'User',
      targetId: userId,
      changes: { role: { before: locked.role, after: input.role }, refreshTokensRevoked: revoked.count },
    });
    ctx.logger.info({ userId, from: locked.role, to: input.role, actorId }, 'user role changed; sessions revoked');
    return updated;
  });
  rememberUser(ctx, user);
  return user;
}
