import { type NextRequest, NextResponse } from 'next/server';
import { COOKIE, accessCookieExpiry, sessionCookieOptions } from './lib/cookie-names';
import { refreshSessionOnce } from './lib/refresh';

/**
 * Before any page, action or route handler runs: when the access token's
 * cookie has expired but a refresh token is present, exchange it for a new
 * pair (rotating refresh tokens, users subgraph) and hand the new cookies both
 * to this request and to the browser. Server components cannot set cookies,
 * so this is the one place a session is renewed.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const access = request.cookies.get(COOKIE.accessToken)?.value;
  const refreshToken = request.cookies.get(COOKIE.refreshToken)?.value;
  if (access || !refreshToken) return NextResponse.next();

  const routerUrl = process.env.ROUTER_URL ?? 'http://localhost:4000/graphql';
  const outcome = await refreshSessionOnce(routerUrl, refreshToken);
  if (outcome.kind === 'unavailable') return NextResponse.next();
  if (outcome.kind === 'rejected') {
    request.cookies.delete(COOKIE.refreshToken);
    const response = NextResponse.next({ request: { headers: request.headers } });
    response.cookies.delete(COOKIE.refreshToken);
    return response;
  }
  const { tokens } = outcome;
  request.cookies.set(COOKIE.accessToken, tokens.accessToken);
  request.cookies.set(COOKIE.refreshToken, tokens.refreshToken);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(COOKIE.accessToken, tokens.accessToken, {
    ...sessionCookieOptions(),
    expires: accessCookieExpiry(tokens.accessTokenExpiresAt),
  });
  response.cookies.set(COOKIE.refreshToken, tokens.refreshToken, {
    ...sessionCookieOptions(),
    expires: new Date(tokens.refreshTokenExpiresAt),
  });
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|media/|favicon.ico|robots.txt|sitemap.xml).*)'],
};
