/** Cookie names, shared by server code and src/proxy.ts (which cannot import server-only modules). */
export const COOKIE = {
  accessToken: 'sf_at',
  refreshToken: 'sf_rt',
  /** The anonymous cart: `<cartId>.<cartToken>`. Merged into the account's cart at sign-in. */
  cart: 'sf_cart',
  currency: 'sf_currency',
} as const;

/** The access cookie expires this long before the token, so a token read from it is still good for a request. */
export const ACCESS_COOKIE_MARGIN_MS = 30_000;

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

export function cookieSecure(): boolean {
  return process.env.NODE_ENV === 'production' && process.env.APP_ENV === 'production';
}

export function sessionCookieOptions() {
  return { httpOnly: true, sameSite: 'lax' as const, secure: cookieSecure(), path: '/' };
}

/** Expiry of the access cookie for a token that expires at `expiresAt`. */
export function accessCookieExpiry(expiresAt: string): Date {
  return new Date(new Date(expiresAt).getTime() - ACCESS_COOKIE_MARGIN_MS);
}
