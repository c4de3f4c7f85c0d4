import { sessionCookieOptions as sharedSessionCookieOptions } from '@commerce/next-kit/cookies';

export { accessCookieExpiry } from '@commerce/next-kit/cookies';

/** Cookie names, shared by server code and src/proxy.ts (which cannot import server-only modules). */
export const COOKIE = {
  accessToken: 'sf_at',
  refreshToken: 'sf_rt',
  /** The anonymous cart: `<cartId>.<cartToken>`. Merged into the account's cart at sign-in. */
  cart: 'sf_cart',
  currency: 'sf_currency',
} as const;

export interface AnonymousCart {
  cartId: string;
  cartToken: string;
}

export function parseCartCookie(value: string | undefined): AnonymousCart | undefined {
  if (!value) return undefined;
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  return { cartId: value.slice(0, dot), cartToken: value.slice(dot + 1) };
}

/** The shop's cookies are SameSite=Lax: a shopper who follows a link to the shop arrives signed in. */
export function sessionCookieOptions() {
  return sharedSessionCookieOptions('lax');
}
