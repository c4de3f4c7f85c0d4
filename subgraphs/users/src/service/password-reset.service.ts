import { createHash, randomBytes } from 'node:crypto';
import { readIntEnv } from '@commerce/config';
import { AppError, ErrorCode } from '@commerce/errors';
import type { ServiceContext } from '../context.js';
import { recordPasswordResetRequested } from '../events/password-reset-requested.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { emailSchema, parseInput } from './validation.js';

/**
 * PasswordResetService: "forgot my password". A request for an existing
 * account stores the SHA-256 of a fresh random token and writes
 * `user.password_reset_requested` (with the token, for the emailed link) in
 * one transaction; notifications sends the email. Redeeming the token sets
 * the new password, voids the account's other reset tokens and ends every
 * session (all refresh-token families are revoked).
 *
 * No enumeration: `requestPasswordReset` answers the same for every
 * well-formed email, and every answer takes at least the same minimum time,
 * so neither the response nor its timing tells whether an account exists.
 */

/** 32 random bytes, base64url: 43 characters, 256 bits (nothing to brute-force, so SHA-256 suffices). */
export const RESET_TOKEN_BYTES = 32;

/** 30 minutes unless PASSWORD_RESET_TTL_SECONDS says otherwise. */
export const resetTokenTtlSeconds = (): number => readIntEnv('PASSWORD_RESET_TTL_SECONDS', 30 * 60);

/**
 * Every requestPasswordReset answer takes at least this long (default 400 ms,
 * PASSWORD_RESET_MIN_RESPONSE_MS), which is well above the cost of the
 * slower path (one transaction), so both paths answer after the same floor.
 */
export const resetMinResponseMs = (): number => readIntEnv('PASSWORD_RESET_MIN_RESPONSE_MS', 400);

export const hashResetToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/** A base64url string of the right length; anything else is rejected without a database round trip. */
export const looksLikeResetToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/** The one error for unknown, used, superseded and expired tokens (the code is BAD_USER_INPUT; `reason` tells which rule). */
export const invalidResetToken = (): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, 'This password reset link is invalid or has expired. Please request a new one.', {
    details: { field: 'token', reason: 'INVALID_RESET_TOKEN' },
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `minMs` have passed since `startedAt`, plus a little jitter so the floor itself is not a clean signal. */
async function padResponse(startedAt: number, minMs: number): Promise<void> {
  const remaining = minMs - (performance.now() - startedAt) + Math.random() * 20;
  if (remaining > 0) await sleep(remaining);
}

/**
 * Starts a reset for the account with this email, if there is one. Always
 * resolves to the same result for a well-formed email; BAD_USER_INPUT only for
 * a malformed one (which says nothing about accounts).
 */
export async function requestPasswordReset(ctx: ServiceContext, input: { email: string }): Promise<{ success: true }> {
  const startedAt = performance.now();
  const email = parseInput(emailSchema, input.email, 'email');
  try {
    const token = randomBytes(RESET_TOKEN_BYTES).toString('base64url');
    const tokenHash = hashResetToken(token);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + resetTokenTtlSeconds() * 1000);

    const user = await ctx.db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true } });
    if (user) {
      await ctx.db.$transaction(async (tx) => {
        // Only the newest link works: earlier unused tokens of this account are voided.
        await tx.passwordResetToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
        await tx.passwordResetToken.create({ data: { userId: user.id, tokenHash, expiresAt } });
        await recordPasswordResetRequested(
          tx,
          { userId: user.id, email: user.email, name: user.name, resetToken: token, expiresAt },
          ctx.traceContext,
        );
      });
      // Never the token, nor the email (the log would become an enumeration oracle).
      ctx.logger.info({ userId: user.id }, 'password reset requested');
    }
  } catch (error) {
    // A failure must not answer faster (or differently in timing) than success either.
    await padResponse(startedAt, resetMinResponseMs());
    throw error;
  }
  await padResponse(startedAt, resetMinResponseMs());
  return { success: true };
}

/**
 * Sets a new password with a reset token. The token must be unused,
 * unexpired and the account's newest; it is consumed atomically, so of two
 * concurrent uses only one succeeds. Errors: WEAK_PASSWORD; BAD_USER_INPUT
 * with `reason: INVALID_RESET_TOKEN` for a bad, used or expired token.
 */
export async function resetPassword(
  ctx: ServiceContext,
  input: { token: string; newPassword: string },
): Promise<{ success: true }> {
  if (!looksLikeResetToken(input.token)) throw invalidResetToken();
  assertPasswordPolicy(input.newPassword);
  const tokenHash = hashResetToken(input.token);
  const current = await ctx.db.passwordResetToken.findUnique({ where: { tokenHash }, select: { usedAt: true, expiresAt: true } });
  if (!current || current.usedAt || current.expiresAt <= new Date()) throw invalidResetToken();

  // Hash outside the transaction: scrypt takes ~100 ms and must not hold row locks.
  const passwordHash = await hashPassword(input.newPassword);
  const userId = await ctx.db.$transaction(async (tx) => {
    const now = new Date();
    const token = await tx.passwordResetToken.findUnique({ where: { tokenHash }, select: { id: true, userId: true } });
    if (!token) return null;
    // Claim: of two concurrent resets with one token, the second waits for the
    // first's row lock, then matches no row.
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: token.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) return null;
    await tx.user.update({ where: { id: token.userId }, data: { passwordHash } });
    // Any other outstanding link for the account dies with this reset.
    await tx.passwordResetToken.updateMany({ where: { userId: token.userId, usedAt: null }, data: { usedAt: now } });
    // Whoever knew the old password is signed out everywhere.
    await tx.refreshToken.updateMany({ where: { userId: token.userId, revokedAt: null }, data: { revokedAt: now } });
    return token.userId;
  });
  if (!userId) throw invalidResetToken();
  ctx.logger.info({ userId }, 'password reset; all sessions revoked');
  return { success: true };
}
