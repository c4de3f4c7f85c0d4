import { cookies } from 'next/headers';
import { type NextRequest, NextResponse } from 'next/server';
import { COOKIE } from '@/lib/cookies';

export const dynamic = 'force-dynamic';

/**
 * The console's graphql-ws connection needs the access token, which lives in
 * an httpOnly cookie: this same-origin endpoint hands the current one (renewed
 * by src/proxy.ts when due) to the page's own scripts for the socket's
 * connection_init. A cross-site page cannot read it (no CORS, Sec-Fetch-Site
 * checked, SameSite=Strict cookies). The router decides what the token may
 * subscribe to: the admin subscriptions refuse anyone but an ADMIN.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') return NextResponse.json({ error: 'FORBIDDEN' }, { status: 403 });
  const token = (await cookies()).get(COOKIE.accessToken)?.value ?? null;
  return NextResponse.json({ accessToken: token }, { headers: { 'cache-control': 'no-store, private' } });
}
