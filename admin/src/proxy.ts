import { type NextRequest, NextResponse } from 'next/server';
import { COOKIE, accessCookieExpiry, refreshCookieExpiry, sessionCookieOptions } from './lib/cookies';
import { PATH_HEADER } from './lib/paths';
import { refreshSessionOnce } from './lib/refresh';

/**
 * Before any page or action runs: the path asked for goes to the server code
 * (for the sign-in redirect's way back), and when the access cookie has
 * expired but a refresh token is present, the pair is renewed with the users
 * subgraph's rotating refresh token, for this request and the browser alike.
 * Server components cannot set cookies, so this is the one place a session is renewed.
 * The admin check itself happens in every page and action (lib/auth.ts).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const access = request.cookies.get(COOKIE.accessToken)?.value;
  const refreshToken = request.cookies.get(COOKIE.refreshToken)?.value;
  if (access || !refreshToken) return NextResponse.next({ request: { headers: requestHeaders } });

  const routerUrl = process.env.ROUTER_URL ?? 'http://localhost:4000/graphql';
  const outcome = await refreshSessionOnce(routerUrl, refreshToken);
  if (outcome.kind === 'unavailable') return NextResponse.next({ request: { headers: requestHeaders } });
  if (outcome.kind === 'rejected') {
    request.cookies.delete(COOKIE.refreshToken);
    requestHeaders.set('cookie', request.cookies.toString());
    const response = NextResponse.next({ request: { headers: requestHeaders } });
    response.cookies.delete(COOKIE.refreshToken);
    return response;
  }
  const { tokens } = outcome;
  request.cookies.set(COOKIE.accessToken, tokens.accessToken);
  request.cookies.set(COOKIE.refreshToken, tokens.refreshToken);
  requestHeaders.set('cookie', request.cookies.toString());
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.cookies.set(COOKIE.accessToken, tokens.accessToken, {
    ...sessionCookieOptions(),
    expires: accessCookieExpiry(tokens.accessTokenExpiresAt),
  });
  // An admin session left idle for ADMIN_SESSION_MAX_MS ends, even if the graph's refresh token would live on.
  response.cookies.set(COOKIE.refreshToken, tokens.refreshToken, {
    ...sessionCookieOptions(),
    expires: refreshCookieExpiry(tokens.refreshTokenExpiresAt),
  });
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|robots.txt).*)'],
};
