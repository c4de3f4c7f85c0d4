/**
 * Session cookie settings both apps use. No `server-only` mark: each app's
 * src/proxy.ts (which cannot import server-only modules) uses them too. The
 * cookie names and the SameSite policy stay with each app.
 */

/** The names of an app's two session cookies. */
export interface SessionCookieNames {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'lax' | 'strict';
  secure: boolean;
  path: '/';
}

/** The access cookie expires this long before the token, so a token read from it is still good for a request. */
export const ACCESS_COOKIE_MARGIN_MS = 30_000;

export function cookieSecure(): boolean {
  return process.env.NODE_ENV === 'production' && process.env.APP_ENV === 'production';
}

/** httpOnly (no script can read a token), Secure in production, the app's SameSite policy. */
export function sessionCookieOptions<SameSite extends SessionCookieOptions['sameSite']>(sameSite: SameSite) {
  return { httpOnly: true as const, sameSite, secure: cookieSecure(), path: '/' as const };
}

/** Expiry of the access cookie for a token that expires at `expiresAt`. */
export function accessCookieExpiry(expiresAt: string): Date {
  return new Date(new Date(expiresAt).getTime() - ACCESS_COOKIE_MARGIN_MS);
}
