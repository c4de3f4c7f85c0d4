import { accessTokenTtlSeconds } from '@commerce/auth';
import { readIntEnv } from '@commerce/config';
import type { Role } from '../generated/prisma/client.ts';
import { refreshTokenTtlSeconds } from './refresh-tokens.js';

/**
 * How long a session lasts, by role. Administrators can change the shop, so a
 * stolen or forgotten admin session is worth more and lives less:
 *
 * | role     | access token                              | session (refresh tokens)                                   |
 * |----------|-------------------------------------------|------------------------------------------------------------|
 * | CUSTOMER | ACCESS_TOKEN_TTL_SECONDS, 900 (15 min)     | REFRESH_TOKEN_TTL_SECONDS, 30 days, sliding (each refresh renews it) |
 * | ADMIN    | ADMIN_ACCESS_TOKEN_TTL_SECONDS, 300 (5 min) | ADMIN_SESSION_TTL_SECONDS, 28800 (8 h), absolute: from sign-in, never renewed |
 *
 * The role is read from the database at every sign-in and refresh, so a
 * promotion or demotion takes the new policy at the next refresh (setUserRole
 * revokes the user's refresh tokens, so that is the next sign-in).
 */
export interface SessionPolicy {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The session ends `refreshTokenTtlSeconds` after sign-in whatever the refreshes (no sliding renewal). */
  absolute: boolean;
}

export const DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS = 5 * 60;
export const DEFAULT_ADMIN_SESSION_TTL_SECONDS = 8 * 60 * 60;

export function sessionPolicyFor(role: Role): SessionPolicy {
  if (role === 'ADMIN') {
    return {
      accessTokenTtlSeconds: readIntEnv('ADMIN_ACCESS_TOKEN_TTL_SECONDS', DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS),
      refreshTokenTtlSeconds: readIntEnv('ADMIN_SESSION_TTL_SECONDS', DEFAULT_ADMIN_SESSION_TTL_SECONDS),
      absolute: true,
    };
  }
  return { accessTokenTtlSeconds: accessTokenTtlSeconds(), refreshTokenTtlSeconds: refreshTokenTtlSeconds(), absolute: false };
}

/**
 * When a refresh token issued now for this role expires: a fresh session's
 * full lifetime, or, rotating within an absolute session, never later than
 * the token it replaces.
 */
export function refreshTokenExpiry(role: Role, now: Date, replacing: Date | null = null): Date {
  const policy = sessionPolicyFor(role);
  const full = new Date(now.getTime() + policy.refreshTokenTtlSeconds * 1000);
  return policy.absolute && replacing && replacing < full ? replacing : full;
}
