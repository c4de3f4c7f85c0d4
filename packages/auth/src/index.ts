import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError, ErrorCode } from '@commerce/errors';
import { readIntEnv } from '@commerce/config';
import { getSigningKey, getVerificationKey, JWT_ALGORITHM } from './keys.js';

export { getSigningKey, getVerificationKey } from './keys.js';

export const ROLES = ['CUSTOMER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** A verified caller. Built only from a token whose signature was checked. */
export interface Identity {
  userId: string;
  email: string;
  roles: readonly Role[];
  /** Expiry of the access token, seconds since the epoch. */
  expiresAt: number;
}

export const ISSUER = 'commerce-users';
export const AUDIENCE = 'commerce';

/** Access tokens are short-lived; refresh tokens (users subgraph) renew them. */
export const accessTokenTtlSeconds = (): number => readIntEnv('ACCESS_TOKEN_TTL_SECONDS', 15 * 60);

export interface SignedToken {
  token: string;
  expiresAt: Date;
}

export async function signAccessToken(
  subject: { userId: string; email: string; roles: readonly Role[] },
  ttlSeconds: number = accessTokenTtlSeconds(),
): Promise<SignedToken> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + ttlSeconds;
  const token = await new SignJWT({ email: subject.email, roles: [...subject.roles] })
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(await getSigningKey());
  return { token, expiresAt: new Date(exp * 1000) };
}

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Verifies signature, issuer, audience and expiry. Throws UNAUTHENTICATED otherwise. */
export async function verifyAccessToken(token: string): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, await getVerificationKey(), {
      algorithms: [JWT_ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || typeof payload.exp !== 'number') {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is malformed.');
    }
    return { userId: payload.sub, email: payload.email, roles, expiresAt: payload.exp };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token has expired.', { details: { reason: 'TOKEN_EXPIRED' } });
    }
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is invalid.', { details: { reason: 'TOKEN_INVALID' } });
  }
}

/**
 * Reads `Authorization: Bearer <jwt>`. No header means an anonymous caller
 * (null); a header that is present but wrong is an error, never anonymous.
 */
export async function identityFromAuthorization(header: string | null | undefined): Promise<Identity | null> {
  if (header === undefined || header === null || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) {
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'The Authorization header must be "Bearer <token>".', {
      details: { reason: 'TOKEN_INVALID' },
    });
  }
  return verifyAccessToken(match[1]);
}

export const hasRole = (identity: Identity | null | undefined, role: Role): boolean =>
  identity?.roles.includes(role) ?? false;
export const isAdmin = (identity: Identity | null | undefined): boolean => hasRole(identity, 'ADMIN');
