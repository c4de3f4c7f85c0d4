import 'server-only';
import { cookies } from 'next/headers';
import { accessCookieExpiry, type SessionCookieNames, type SessionCookieOptions } from './cookies';
import type { SessionTokens } from './refresh';

/** How an app keeps its session in cookies: their names, their options, and how long the refresh cookie lives. */
export interface SessionCookiePolicy {
  names: SessionCookieNames;
  options: () => SessionCookieOptions;
  refreshExpiry: (refreshTokenExpiresAt: string) => Date;
}

/** Server actions and route handlers only: Next refuses to set cookies while rendering. */
export async function saveSession(policy: SessionCookiePolicy, tokens: SessionTokens): Promise<void> {
  const jar = await cookies();
  jar.set(policy.names.accessToken, tokens.accessToken, { ...policy.options(), expires: accessCookieExpiry(tokens.accessTokenExpiresAt) });
  jar.set(policy.names.refreshToken, tokens.refreshToken, { ...policy.options(), expires: policy.refreshExpiry(tokens.refreshTokenExpiresAt) });
}

export async function clearSession(policy: SessionCookiePolicy): Promise<void> {
  const jar = await cookies();
  jar.delete(policy.names.accessToken);
  jar.delete(policy.names.refreshToken);
}

/**
 * Sign-out: ends the session at the graph (`logout` with the refresh token)
 * and forgets the cookies, whatever the graph answers.
 */
export async function endSession(policy: SessionCookiePolicy, logout: (refreshToken: string) => Promise<unknown>): Promise<void> {
  const refreshToken = (await cookies()).get(policy.names.refreshToken)?.value;
  if (refreshToken) {
    try {
      await logout(refreshToken);
    } catch {
      // Router down or the session already ended: the cookies go anyway.
    }
  }
  await clearSession(policy);
}
