import { cookies } from 'next/headers';
import { type NextRequest, NextResponse } from 'next/server';
import { COOKIE, parseCartCookie } from '@/lib/cookie-names';

export const dynamic = 'force-dynamic';

/**
 * The browser's graphql-ws connection needs the access token, which lives in
 * an httpOnly cookie. This same-origin endpoint hands the current one (renewed
 * by src/proxy.ts when due) to the page's own scripts, for the socket's
 * connection_init only; a cross-site page cannot read it (no CORS, and
 * Sec-Fetch-Site is checked).
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') return NextResponse.json({ error: 'FORBIDDEN' }, { status: 403 });
  const jar = await cookies();
  const cart = parseCartCookie(jar.get(COOKIE.cart)?.value);
  return NextResponse.json(
    { accessToken: jar.get(COOKIE.accessToken)?.value ?? null, cartToken: cart?.cartToken ?? null },
    { headers: { 'cache-control': 'no-store, private' } },
  );
}
