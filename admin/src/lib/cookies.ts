import { sessionCookieOptions as sharedSessionCookieOptions } from '@commerce/next-kit/cookies';

export { accessCookieExpiry } from '@commerce/next-kit/cookies';

/**
 * The console's session cookies, shared by server code and src/proxy.ts
 * (which cannot import server-only modules). Names of their own (`adm_*`)
 * on the console's own origin (:3001), so the shop's session (`sf_*` on
 * :3000) and the admin's never meet; SameSite=Strict: no other site can
 * make the browser send them, not even a top-level link.
 */
export const COOKIE = {
  accessToken: 'adm_at',
  refreshToken: 'adm_rt',
} as const;

/** An admin session left unused this long ends (its refresh cookie expires), however long the graph's refresh token would live: admin sessions end sooner than shoppers'. */
export const ADMIN_SESSION_MAX_MS = 8 * 60 * 60 * 1000;

export function sessionCookieOptions() {
  return sharedSessionCookieOptions('strict');
}

/** Expiry of the refresh cookie: the token's own, capped at ADMIN_SESSION_MAX_MS from now. */
export function refreshCookieExpiry(expiresAt: string, now = Date.now()): Date {
  return new Date(Math.min(new Date(expiresAt).getTime(), now + ADMIN_SESSION_MAX_MS));
}
