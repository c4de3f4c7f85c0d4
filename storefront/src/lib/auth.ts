import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { COOKIE } from './cookie-names';
import { GraphQLRequestError, RouterUnavailableError, executeGraphQL } from './graphql';

/**
 * Where a sign-in may send the shopper afterwards: only a path on this site
 * ("/account/orders?x=1"), never another origin ("//evil.example",
 * "https://…", "/\\evil"), never back to the sign-in forms themselves.
 */
export function safeReturnTo(value: unknown, fallback = '/account'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, 'http://storefront.invalid');
  } catch {
    return fallback;
  }
  if (url.origin !== 'http://storefront.invalid') return fallback;
  if (/^\/account\/(sign-in|sign-up)\/?$/.test(url.pathname)) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Normalizing may have made "/.//evil.example" protocol-relative.
  return path.startsWith('//') ? fallback : path;
}

export function signInPath(returnTo: string): string {
  return `/account/sign-in?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

/**
 * For personal pages: the shopper's access token, or a redirect to the sign-in
 * page that comes back to `returnTo`. When only the refresh token is left, the
 * proxy could not renew the session because the router is down: say so (the
 * error page retries) rather than ask the shopper to sign in again.
 */
export async function requireSignIn(returnTo: string): Promise<string> {
  const jar = await cookies();
  const token = jar.get(COOKIE.accessToken)?.value;
  if (token) return token;
  if (jar.get(COOKIE.refreshToken)?.value) throw new RouterUnavailableError(new Error('session could not be renewed'));
  redirect(signInPath(returnTo));
}

/**
 * A personal read for the page at `returnTo`: sent with the shopper's token,
 * never cached; a session the graph no longer accepts leads to sign-in.
 */
export async function personalQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  returnTo: string,
  variables?: TVariables,
): Promise<TResult> {
  const token = await requireSignIn(returnTo);
  try {
    return await executeGraphQL(document, { variables, accessToken: token, cache: 'no-store' });
  } catch (error) {
    if (error instanceof GraphQLRequestError && (error.code === 'UNAUTHENTICATED' || error.code === 'TOKEN_EXPIRED')) {
      redirect(signInPath(returnTo));
    }
    throw error;
  }
}
