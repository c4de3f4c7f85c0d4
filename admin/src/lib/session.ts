import 'server-only';
import type { SessionTokens } from '@commerce/next-kit/refresh';
import * as session from '@commerce/next-kit/session';
import { COOKIE, refreshCookieExpiry, sessionCookieOptions } from './cookies';

/** The console's own cookies (SameSite=Strict); the refresh cookie ends after ADMIN_SESSION_MAX_MS at most. */
const ADMIN_SESSION: session.SessionCookiePolicy = {
  names: COOKIE,
  options: sessionCookieOptions,
  refreshExpiry: refreshCookieExpiry,
};

/** Server actions and route handlers only: Next refuses to set cookies while rendering. */
export const saveSession = (tokens: SessionTokens): Promise<void> => session.saveSession(ADMIN_SESSION, tokens);

/** Sign-out: `logout` ends the session at the graph; the cookies go whatever it answers. */
export const endSession = (logout: (refreshToken: string) => Promise<unknown>): Promise<void> => session.endSession(ADMIN_SESSION, logout);
