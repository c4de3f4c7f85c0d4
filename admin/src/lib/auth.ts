import 'server-only';
import { cookies, headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { graphql } from '@/graphql/generated';
import { GraphQLRequestError, RouterUnavailableError, executeGraphQL } from './graphql';
import { COOKIE } from './cookies';
import { PATH_HEADER } from './paths';

const AdminViewerQuery = graphql(`
  query AdminViewer {
    me {
      id
      name
      email
      role
    }
  }
`);

export interface AdminViewer {
  id: string;
  name: string;
  email: string;
  token: string;
}

/**
 * Where a sign-in may send the admin afterwards: only a path of this console,
 * never another origin ("//evil.example", "https://…", "/\\evil").
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, 'http://admin.invalid');
  } catch {
    return fallback;
  }
  if (url.origin !== 'http://admin.invalid' || url.pathname === '/sign-in') return fallback;
  const path = `${url.pathname}${url.search}`;
  return path.startsWith('//') ? fallback : path;
}

async function signInRedirect(): Promise<never> {
  const path = (await headers()).get(PATH_HEADER) ?? '/';
  redirect(`/sign-in?returnTo=${encodeURIComponent(safeReturnTo(path))}`);
}

/**
 * The check every page, layout and server action of the console makes on the
 * server before it reads or writes anything: the session's user, asked of the
 * graph (`me { role }`, so a revoked role counts at once), must be an ADMIN.
 * Anonymous or an expired session: a redirect to the sign-in page. Signed in
 * but not an admin: 403 (forbidden.tsx), with nothing of the console's data.
 * Once per request (React cache), however many components ask.
 */
export const requireAdmin = cache(async (): Promise<AdminViewer> => {
  const jar = await cookies();
  const token = jar.get(COOKIE.accessToken)?.value;
  if (!token) {
    // Only the refresh token is left: the proxy could not renew the session because the router is down.
    if (jar.get(COOKIE.refreshToken)?.value) throw new RouterUnavailableError(new Error('session could not be renewed'));
    return signInRedirect();
  }
  let me: { id: string; name: string; email: string; role: string } | null | undefined;
  try {
    me = (await executeGraphQL(AdminViewerQuery, { accessToken: token })).me;
  } catch (error) {
    if (error instanceof GraphQLRequestError && (error.code === 'UNAUTHENTICATED' || error.code === 'TOKEN_EXPIRED')) {
      return signInRedirect();
    }
    throw error;
  }
  if (!me) return signInRedirect();
  if (me.role !== 'ADMIN') forbidden();
  return { id: me.id, name: me.name, email: me.email, token };
});

/** Whether this browser holds a session cookie of the console (whatever its role); reads no data. */
export async function hasSessionCookie(): Promise<boolean> {
  const jar = await cookies();
  return Boolean(jar.get(COOKIE.accessToken)?.value || jar.get(COOKIE.refreshToken)?.value);
}
