import 'server-only';
import { cookies } from 'next/headers';
import type { SessionTokens } from '@commerce/next-kit/refresh';
import * as session from '@commerce/next-kit/session';
import { type AnonymousCart, COOKIE, parseCartCookie, sessionCookieOptions } from './cookie-names';
import { type Currency, isCurrency } from './money';

/**
 * The shopper's session lives in cookies only: httpOnly (no script can read a
 * token), SameSite=Lax, Secure in production. The access token is short-lived;
 * src/proxy.ts refreshes it with the rotating refresh token before a page renders.
 * The refresh cookie lives as long as the graph's refresh token.
 */
const SHOPPER_SESSION: session.SessionCookiePolicy = {
  names: COOKIE,
  options: sessionCookieOptions,
  refreshExpiry: (expiresAt) => new Date(expiresAt),
};

export { COOKIE, type AnonymousCart };

/** The access token for this request, if the shopper is signed in. */
export async function accessToken(): Promise<string | undefined> {
  return (await cookies()).get(COOKIE.accessToken)?.value || undefined;
}

export async function isSignedIn(): Promise<boolean> {
  const jar = await cookies();
  return Boolean(jar.get(COOKIE.accessToken)?.value || jar.get(COOKIE.refreshToken)?.value);
}

export async function anonymousCart(): Promise<AnonymousCart | undefined> {
  return parseCartCookie((await cookies()).get(COOKIE.cart)?.value);
}

export async function currency(): Promise<Currency> {
  const value = (await cookies()).get(COOKIE.currency)?.value;
  return isCurrency(value) ? value : 'USD';
}

/** Server actions and route handlers only: Next refuses to set cookies while rendering. */
export const saveSession = (tokens: SessionTokens): Promise<void> => session.saveSession(SHOPPER_SESSION, tokens);

export const clearSession = (): Promise<void> => session.clearSession(SHOPPER_SESSION);

/** Sign-out: `logout` ends the session at the graph; the cookies go whatever it answers. */
export const endSession = (logout: (refreshToken: string) => Promise<unknown>): Promise<void> => session.endSession(SHOPPER_SESSION, logout);

export async function saveAnonymousCart(cart: AnonymousCart): Promise<void> {
  (await cookies()).set(COOKIE.cart, `${cart.cartId}.${cart.cartToken}`, {
    ...sessionCookieOptions(),
    maxAge: 60 * 60 * 24 * 30,
  });
}

export async function clearAnonymousCart(): Promise<void> {
  (await cookies()).delete(COOKIE.cart);
}
