import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readIntEnv } from '@commerce/config';
import { AppError, ErrorCode, badInput, notFound } from '@commerce/errors';
import type { ServiceContext } from '../context.js';
import { recordEmailChanged, recordEmailChangeRequested, recordUserDeleted } from '../events/account-events.js';
import { isUniqueViolation } from '../data/prisma.js';
import { OMIT_PASSWORD, type UserRecord } from '../data/records.js';
import { authResult, emailTaken, invalidCredentials, issueRefreshToken, type AuthResult } from './auth.service.js';
import { assertPasswordPolicy, DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';
import { rememberUser, requireUserId } from './user.service.js';
import { emailSchema, parseInput } from './validation.js';

/**
 * AccountService: changes a signed-in user makes to their own account, each
 * proven again with the current password (a stolen 15-minute access token
 * alone cannot take the account over): changing the password, moving to a new
 * email address (confirmed through a single-use link sent to that address),
 * and deleting the account.
 *
 * Deletion is a hard delete: the users row goes, and with it (ON DELETE
 * CASCADE) the address book, every refresh token, and outstanding reset and
 * email-change tokens. `user.deleted` (no personal data) tells the other
 * domains; references to the id (review authors, orders) then resolve to null
 * here, which is what `Review.author` promises. Orders are kept by the orders
 * domain for accounting, detached from the person (see README).
 */

/** 32 random bytes, base64url: 43 characters (nothing to brute-force, so SHA-256 suffices). */
export const EMAIL_CHANGE_TOKEN_BYTES = 32;

/** 24 hours unless EMAIL_CHANGE_TTL_SECONDS says otherwise. */
export const emailChangeTtlSeconds = (): number => readIntEnv('EMAIL_CHANGE_TTL_SECONDS', 24 * 60 * 60);

export const hashEmailChangeToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

const looksLikeEmailChangeToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/** The one error for unknown, used, superseded and expired confirmation tokens. */
export const invalidEmailChangeToken = (): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, 'This email confirmation link is invalid or has expired. Please request a new one.', {
    details: { field: 'token', reason: 'INVALID_EMAIL_CHANGE_TOKEN' },
  });

/**
 * The caller's account with its password hash, after checking the password.
 * INVALID_CREDENTIALS for a wrong password; NOT_FOUND when a still-valid
 * access token names an account deleted since (that check costs one scrypt
 * too, so timing tells nothing either way).
 */
async function provenAccount(ctx: ServiceContext, password: string): Promise<UserRecord & { passwordHash: string }> {
  const userId = requireUserId(ctx);
  const user = await ctx.db.user.findUnique({ where: { id: userId } });
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user) throw notFound('User', userId);
  if (!valid) throw invalidCredentials();
  return user;
}

/**
 * Sets a new password, proven with the current one. Every session of the
 * account ends (all refresh-token families are revoked, the caller's too) and
 * the caller gets a fresh one in the result, so only this device stays signed
 * in. Outstanding password-reset and email-change links die with the old
 * password. Errors: WEAK_PASSWORD (checked first, nothing changes),
 * INVALID_CREDENTIALS.
 */
export async function changePassword(
  ctx: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<AuthResult> {
  requireUserId(ctx);
  assertPasswordPolicy(input.newPassword);
  const { passwordHash: _old, ...account } = await provenAccount(ctx, input.currentPassword);
  // Hash outside the transaction: scrypt takes ~100 ms and must not hold row locks.
  const passwordHash = await hashPassword(input.newPassword);
  const now = new Date();
  const { user, refresh } = await ctx.db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: account.id }, data: { passwordHash }, omit: OMIT_PASSWORD });
    await tx.refreshToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    await tx.passwordResetToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
    await tx.emailChangeToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
    const refresh = await issueRefreshToken(tx, user, randomUUID(), now);
    return { user, refresh };
  });
  rememberUser(ctx, user);
  ctx.logger.info({ userId: user.id }, 'password changed; other sessions revoked');
  return authResult(user, refresh);
}

/**
 * Starts moving the account to `newEmail`, proven with the current password:
 * stores the SHA-256 of a fresh token (valid 24 hours), voids the account's
 * earlier unconfirmed requests, and writes `user.email_change_requested` in
 * the same transaction; notifications emails the link to the NEW address.
 * The email changes only when the link is used. Errors: BAD_USER_INPUT
 * (malformed, or already the account's email), INVALID_CREDENTIALS, EMAIL_TAKEN.
 */
export async function requestEmailChange(
  ctx: ServiceContext,
  input: { newEmail: string; currentPassword: string },
): Promise<{ newEmail: string; expiresAt: Date }> {
  requireUserId(ctx);
  const newEmail = parseInput(emailSchema, input.newEmail, 'newEmail');
  const account = await provenAccount(ctx, input.currentPassword);
  if (newEmail === account.email) throw badInput('This is already the email address of your account.', 'newEmail');
  const holder = await ctx.db.user.findUnique({ where: { email: newEmail }, select: { id: true } });
  if (holder) throw emailTaken();

  const token = randomBytes(EMAIL_CHANGE_TOKEN_BYTES).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + emailChangeTtlSeconds() * 1000);
  await ctx.db.$transaction(async (tx) => {
    // Only the newest link works.
    await tx.emailChangeToken.updateMany({ where: { userId: account.id, usedAt: null }, data: { usedAt: now } });
    await tx.emailChangeToken.create({ data: { userId: account.id, newEmail, tokenHash: hashEmailChangeToken(token), expiresAt } });
    await recordEmailChangeRequested(
      tx,
      { userId: account.id, name: account.name, newEmail, confirmationToken: token, expiresAt },
      ctx.traceContext,
    );
  });
  // Never the token; nor the address (it is not confirmed to be anyone's yet).
  ctx.logger.info({ userId: account.id }, 'email change requested');
  return { newEmail, expiresAt };
}

type ConfirmOutcome = { kind: 'invalid' } | { kind: 'taken' } | { kind: 'changed'; user: UserRecord };

/**
 * Switches the account to the email the token was issued for. Needs no
 * session (the link may be opened on another device): the token proves
 * control of the new address, and the request itself was proven with the
 * password. The token is consumed atomically (one of two concurrent uses
 * wins); the account's other email-change and password-reset links die;
 * `user.email_changed` is written in the same transaction. Sessions stay: the
 * next refresh puts the new email in the access token. Errors: BAD_USER_INPUT
 * with `reason: INVALID_EMAIL_CHANGE_TOKEN` (unknown, used, superseded,
 * expired); EMAIL_TAKEN when another account took the address meanwhile (the
 * token is left as it is, useless until the address is free again).
 */
export async function confirmEmailChange(ctx: ServiceContext, input: { token: string }): Promise<{ email: string; user: UserRecord }> {
  if (!looksLikeEmailChangeToken(input.token)) throw invalidEmailChangeToken();
  const tokenHash = hashEmailChangeToken(input.token);
  let outcome: ConfirmOutcome;
  try {
    outcome = await ctx.db.$transaction(async (tx): Promise<ConfirmOutcome> => {
      const now = new Date();
      const token = await tx.emailChangeToken.findUnique({ where: { tokenHash } });
      if (!token || token.usedAt || token.expiresAt <= now) return { kind: 'invalid' };
      const holder = await tx.user.findUnique({ where: { email: token.newEmail }, select: { id: true } });
      if (holder && holder.id !== token.userId) return { kind: 'taken' };
      // Claim: of two concurrent confirmations, the second waits for the first's row lock, then matches no row.
      const claimed = await tx.emailChangeToken.updateMany({
        where: { id: token.id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (claimed.count !== 1) return { kind: 'invalid' };
      const previous = await tx.user.findUnique({ where: { id: token.userId }, select: { email: true } });
      if (!previous) return { kind: 'invalid' };
      const user = await tx.user.update({ where: { id: token.userId }, data: { email: token.newEmail }, omit: OMIT_PASSWORD });
      await tx.emailChangeToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
      // Reset links went to the old address: they must not outlive the change.
      await tx.passwordResetToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
      await recordEmailChanged(
        tx,
        { userId: user.id, name: user.name, email: user.email, previousEmail: previous.email, changedAt: now },
        ctx.traceContext,
      );
      return { kind: 'changed', user };
    });
  } catch (error) {
    // Another account registered (or moved to) the address between our check and the update.
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
  if (outcome.kind === 'taken') throw emailTaken();
  if (outcome.kind === 'invalid') throw invalidEmailChangeToken();
  rememberUser(ctx, outcome.user);
  ctx.logger.info({ userId: outcome.user.id }, 'email changed');
  return { email: outcome.user.email, user: outcome.user };
}

/**
 * Deletes the caller's account, proven with the current password: the users
 * row, its address book, every refresh token (all sessions end) and open
 * reset or email-change links go, and `user.deleted` is written in the same
 * transaction. Access tokens already issued stay valid until they expire
 * (15 minutes at most), but name an account that no longer exists: `me` is
 * null and account mutations answer NOT_FOUND. Errors: INVALID_CREDENTIALS.
 */
export async function deleteAccount(ctx: ServiceContext, input: { currentPassword: string }): Promise<{ deletedUserId: string }> {
  const account = await provenAccount(ctx, input.currentPassword);
  const now = new Date();
  const deleted = await ctx.db.$transaction(async (tx) => {
    // Unlink the default address first: deleting the user cascades to its
    // addresses, whose SET NULL would otherwise touch the row being deleted.
    await tx.user.updateMany({ where: { id: account.id }, data: { defaultAddressId: null } });
    const { count } = await tx.user.deleteMany({ where: { id: account.id } });
    // A concurrent deletion won: it wrote the event.
    if (count === 1) await recordUserDeleted(tx, account.id, now, ctx.traceContext);
    return count === 1;
  });
  if (!deleted) throw notFound('User', account.id);
  ctx.loaders.userById.clear(account.id).prime(account.id, null);
  ctx.logger.info({ userId: account.id }, 'account deleted');
  return { deletedUserId: account.id };
}
