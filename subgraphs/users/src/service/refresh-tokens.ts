import { createHash, randomBytes } from 'node:crypto';
import { readIntEnv } from '@commerce/config';

/**
 * Opaque refresh tokens. The client gets 32 random bytes (base64url); the
 * database keeps only their SHA-256, so a leaked table cannot be replayed.
 * A fast hash is enough here: unlike passwords, the input has 256 bits of
 * entropy, so there is nothing to brute-force.
 */

export const REFRESH_TOKEN_BYTES = 32;

/** 30 days unless REFRESH_TOKEN_TTL_SECONDS says otherwise (tests shorten it). */
export const refreshTokenTtlSeconds = (): number => readIntEnv('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 60 * 60);

export interface NewRefreshToken {
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/** A new token expiring `expiresAt` (default: the shoppers' lifetime from `now`; see session-policy.ts for admins). */
export function newRefreshToken(now: Date = new Date(), expiresAt?: Date): NewRefreshToken {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
  return {
    token,
    tokenHash: hashRefreshToken(token),
    expiresAt: expiresAt ?? new Date(now.getTime() + refreshTokenTtlSeconds() * 1000),
  };
}

/** A base64url string of the right length; anything else is rejected without a database round trip. */
export const looksLikeRefreshToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);
