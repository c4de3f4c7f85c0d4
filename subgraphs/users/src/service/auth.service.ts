import { randomUUID } from 'node:crypto';
import { signAccessToken } from '@commerce/auth';
import { readEnv } from '@commerce/config';
import { AppError, ErrorCode } from '@commerce/errors';
import type { ServiceContext } from '../context.js';
import { recordUserRegistered } from '../events/user-registered.js';
import type { Role } from '../generated/prisma/client.ts';
import { isUniqueViolation, type UsersTx } from '../data/prisma.js';
import { OMIT_PASSWORD, type UserRecord } from '../data/records.js';
import {
  assertPasswordPolicy,
  DUMMY_PASSWORD_HASH,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.js';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-tokens.js';
import { refreshTokenExpiry, sessionPolicyFor } from './session-policy.js';
import { asProvenOwner, rememberUser, type UserView } from './user.service.js';
import { emailSchema, nameSchema, parseInput, registerInputSchema } from './validation.js';

/**
 * AuthService: accounts and sessions. Registration, sign-in, refresh-token
 * rotation, sign-out and creating administrators all go through here.
 *
 * A session is a family of refresh tokens started by one sign-in. Every
 * refresh marks the presented token rotated and issues the next one in the
 * same family; presenting a rotated token again means it was copied, so the
 * whole family is revoked and both holders must sign in again.
 *
 * Lifetimes depend on the role (session-policy.ts): an administrator's access
 * token lives 5 minutes and their session 8 hours from sign-in, never
 * renewed; a shopper's 15 minutes and 30 days, renewed by every refresh.
 */

export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserView;
}

export const emailTaken = (): AppError =>
  new AppError(ErrorCode.EMAIL_TAKEN, 'An account with this email address already exists.', {
    details: { field: 'email' },
  });

// One message for every sign-in failure, so responses never tell whether the email exists.
export const invalidCredentials = (): AppError =>
  new AppError(ErrorCode.INVALID_CREDENTIALS, 'The email address or password is incorrect.');

const invalidRefreshToken = (): AppError =>
  new AppError(ErrorCode.INVALID_REFRESH_TOKEN, 'The session has expired or was ended. Please sign in again.');

/**
 * Starts a new refresh-token family, or continues one on rotation (`replacing`:
 * the expiry of the token it replaces, which caps an absolute session).
 */
export async function issueRefreshToken(
  tx: UsersTx,
  user: { id: string; role: Role },
  familyId: string,
  now = new Date(),
  replacing: Date | null = null,
) {
  const userId = user.id;
  const next = newRefreshToken(now, refreshTokenExpiry(user.role, now, replacing));
  await tx.refreshToken.create({ data: { userId, familyId, tokenHash: next.tokenHash, expiresAt: next.expiresAt } });
  return next;
}

export async function authResult(user: UserRecord, refresh: { token: string; expiresAt: Date }): Promise<AuthResult> {
  // The role is read from the database each time, so a refresh picks up a promotion or demotion.
  const access = await signAccessToken(
    { userId: user.id, email: user.email, roles: [user.role] },
    sessionPolicyFor(user.role).accessTokenTtlSeconds,
  );
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
    user: asProvenOwner(user),
  };
}

interface NewAccount {
  email: string;
  passwordHash: string;
  name: string;
  role: Role;
}

/**
 * Inserts the user and its `user.registered` event in one transaction: either
 * both exist or neither does, so consumers never miss or invent an account.
 */
async function createAccount(ctx: ServiceContext, tx: UsersTx, account: NewAccount): Promise<UserRecord> {
  const user = await tx.user.create({ data: account, omit: OMIT_PASSWORD });
  await recordUserRegistered(tx, user, ctx.traceContext);
  return user;
}

/** Creates a CUSTOMER account and signs it in. Errors: BAD_USER_INPUT, WEAK_PASSWORD, EMAIL_TAKEN. */
export async function register(ctx: ServiceContext, rawInput: unknown): Promise<AuthResult> {
  const input = parseInput(registerInputSchema, rawInput);
  assertPasswordPolicy(input.password);
  // Cheap early answer for the common case; the unique index below settles races.
  const existing = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw emailTaken();
  const passwordHash = await hashPassword(input.password);
  try {
    const { user, refresh } = await ctx.db.$transaction(async (tx) => {
      const user = await createAccount(ctx, tx, { email: input.email, passwordHash, name: input.name, role: 'CUSTOMER' });
      const refresh = await issueRefreshToken(tx, user, randomUUID());
      return { user, refresh };
    });
    rememberUser(ctx, user);
    ctx.logger.info({ userId: user.id }, 'user registered');
    return await authResult(user, refresh);
  } catch (error) {
    // Two registrations for one email raced past the check; the loser lands here.
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}

/** Signs in with email and password. Errors: INVALID_CREDENTIALS, identical for unknown emails and wrong passwords. */
export async function login(ctx: ServiceContext, input: { email: string; password: string }): Promise<AuthResult> {
  const email = input.email.trim().toLowerCase();
  const user = email.length > 0 && email.length <= 254 ? await ctx.db.user.findUnique({ where: { email } }) : null;
  // Unknown emails still pay for one scrypt, so timing does not reveal which emails exist.
  const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !valid) throw invalidCredentials();

  const { passwordHash, ...record } = user;
  const refresh = await ctx.db.$transaction(async (tx) => {
    // Hashes made with older, cheaper parameters are upgraded while the password is at hand.
    if (needsRehash(passwordHash)) {
      await tx.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password) } });
    }
    return issueRefreshToken(tx, user, randomUUID());
  });
  rememberUser(ctx, record);
  return authResult(record, refresh);
}

type RotationOutcome =
  | { kind: 'rotated'; user: UserRecord; next: { token: string; expiresAt: Date } }
  | { kind: 'invalid' }
  | { kind: 'reused'; familyId: string; userId: string };

/**
 * Exchanges a refresh token for a new pair. Errors: INVALID_REFRESH_TOKEN for
 * unknown, expired, revoked or already-used tokens; an already-used token also
 * revokes its whole family.
 */
export async function refreshSession(ctx: ServiceContext, refreshToken: string): Promise<AuthResult> {
  if (!looksLikeRefreshToken(refreshToken)) throw invalidRefreshToken();
  const tokenHash = hashRefreshToken(refreshToken);
  const now = new Date();

  // The transaction commits in every outcome (nothing is thrown inside it), so
  // revoking a family on reuse sticks even though the caller gets an error.
  const outcome = await ctx.db.$transaction(async (tx): Promise<RotationOutcome> => {
    const current = await tx.refreshToken.findUnique({ where: { tokenHash } });
    if (!current || current.revokedAt || current.expiresAt <= now) return { kind: 'invalid' };
    const reused: RotationOutcome = { kind: 'reused', familyId: current.familyId, userId: current.userId };
    if (current.rotatedAt) {
      await revokeFamily(tx, current.familyId, now);
      return reused;
    }
    // Claim the token atomically: of two concurrent refreshes with one token,
    // the second waits for the first's row lock, then matches no row. That is
    // a reuse too (a copied token racing the real client).
    const claimed = await tx.refreshToken.updateMany({
      where: { id: current.id, rotatedAt: null, revokedAt: null },
      data: { rotatedAt: now },
    });
    if (claimed.count !== 1) {
      await revokeFamily(tx, current.familyId, now);
      return reused;
    }
    const user = await tx.user.findUnique({ where: { id: current.userId }, omit: OMIT_PASSWORD });
    if (!user) return { kind: 'invalid' };
    const next = await issueRefreshToken(tx, user, current.familyId, now, current.expiresAt);
    return { kind: 'rotated', user, next };
  });

  if (outcome.kind === 'reused') {
    ctx.logger.warn({ userId: outcome.userId, familyId: outcome.familyId }, 'refresh token reuse detected; session revoked');
  }
  if (outcome.kind !== 'rotated') throw invalidRefreshToken();
  rememberUser(ctx, outcome.user);
  return authResult(outcome.user, outcome.next);
}

async function revokeFamily(tx: Pick<UsersTx, 'refreshToken'>, familyId: string, now: Date): Promise<void> {
  await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
}

/**
 * Ends the session the refresh token belongs to (its whole family). Returns
 * false for a token this service never issued. Access tokens already handed
 * out stay valid until they expire: they are short-lived and checked offline.
 */
export async function logout(ctx: ServiceContext, refreshToken: string): Promise<boolean> {
  if (!looksLikeRefreshToken(refreshToken)) return false;
  const token = await ctx.db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    select: { familyId: true },
  });
  if (!token) return false;
  await revokeFamily(ctx.db, token.familyId, new Date());
  return true;
}

export interface AdminCredentials {
  email: string;
  password: string;
  name?: string;
}

/** Documented development credentials; never used in production unless set explicitly. */
export const DEV_ADMIN_EMAIL = 'admin@example.com';
export const DEV_ADMIN_PASSWORD = 'admin-dev-password-1';

/** ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_NAME, falling back to the development defaults. */
export function adminCredentialsFromEnv(): AdminCredentials {
  return {
    email: readEnv('ADMIN_EMAIL', DEV_ADMIN_EMAIL),
    password: readEnv('ADMIN_PASSWORD', DEV_ADMIN_PASSWORD),
    name: readEnv('ADMIN_NAME', 'Administrator'),
  };
}

export interface EnsureAdminOptions {
  /** Also set the password of an existing account (the create-admin script does; the dev start does not). */
  resetPassword?: boolean;
}

/**
 * Makes sure an ADMIN account with this email exists: creates it (with its
 * `user.registered` event) or promotes an existing account. Registration never
 * creates admins; this is the only way, for operators, the dev start and tests.
 * Idempotent, and safe when several processes run it at once.
 */
export async function ensureAdmin(
  ctx: ServiceContext,
  credentials: AdminCredentials = adminCredentialsFromEnv(),
  options: EnsureAdminOptions = {},
): Promise<UserRecord> {
  const email = parseInput(emailSchema, credentials.email, 'email');
  const name = parseInput(nameSchema, credentials.name ?? 'Administrator', 'name');
  assertPasswordPolicy(credentials.password);

  for (let attempt = 0; ; attempt++) {
    const existing = await ctx.db.user.findUnique({ where: { email }, omit: OMIT_PASSWORD });
    if (existing) {
      const data = {
        role: 'ADMIN' as const,
        ...(options.resetPassword ? { passwordHash: await hashPassword(credentials.password) } : {}),
      };
      if (existing.role === 'ADMIN' && !options.resetPassword) return existing;
      const admin = await ctx.db.user.update({ where: { id: existing.id }, data, omit: OMIT_PASSWORD });
      ctx.logger.info({ userId: admin.id }, 'administrator updated');
      return admin;
    }
    const passwordHash = await hashPassword(credentials.password);
    try {
      const admin = await ctx.db.$transaction((tx) => createAccount(ctx, tx, { email, passwordHash, name, role: 'ADMIN' }));
      ctx.logger.info({ userId: admin.id }, 'administrator created');
      return admin;
    } catch (error) {
      // Another process created it between our read and insert: promote that one instead.
      if (!isUniqueViolation(error) || attempt > 0) throw error;
    }
  }
}
