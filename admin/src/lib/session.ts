import 'server-only';
import { cookies } from 'next/headers';
import { COOKIE, accessCookieExpiry, refreshCookieExpiry, sessionCookieOptions } from './cookies';

export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** Server actions and route handlers only: Next refuses to set cookies while rendering. */
export async function saveSession(tokens: SessionTokens): Promise<void> {
  const jar = await cookies();
  jar.set(COOKIE.accessToken, tokens.accessToken, { ...sessionCookieOptions(), expires: accessCookieExpiry(tokens.accessTokenExpiresAt) });
  jar.set(COOKIE.refreshToken, tokens.refreshToken, { ...sessionCookieOptions(), expires: refreshCookieExpiry(tokens.refreshTokenExpiresAt) });
}

export async function clearSession(): Promise<void> {
  const jar = await cookies();
  jar.delete(COOKIE.accessToken);
  jar.delete(COOKIE.refreshToken);
}
