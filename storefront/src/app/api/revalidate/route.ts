import { timingSafeEqual } from 'node:crypto';
import { revalidateTag } from 'next/cache';
import { revalidateSecret } from '@/lib/config';

/** Tags the catalog reads are cached under (lib/catalog/data.ts, the product page, home, sitemap, suggestions). */
const TAG = /^(?:catalog|categories|home|sitemap|suggest|(?:product|category):[a-z0-9][a-z0-9-]{0,119})$/;
const MAX_TAGS = 100;

/**
 * POST /api/revalidate { "tags": ["product:<slug>", …] } with
 * `Authorization: Bearer <REVALIDATE_SECRET>`: marks cached catalog reads as
 * expired, for a consumer of the catalog's and inventory's events to call, so
 * a change shows on the next request instead of within CATALOG_REVALIDATE_SECONDS.
 * Off (404) unless REVALIDATE_SECRET is set.
 */
export async function POST(request: Request): Promise<Response> {
  const secret = revalidateSecret();
  if (!secret) return Response.json({ error: 'NOT_FOUND' }, { status: 404 });
  const given = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  if (!sameSecret(given, secret)) return Response.json({ error: 'UNAUTHENTICATED' }, { status: 401 });

  let tags: unknown;
  try {
    tags = ((await request.json()) as { tags?: unknown }).tags;
  } catch {
    return Response.json({ error: 'BAD_USER_INPUT', reason: 'body must be JSON: { "tags": [string] }' }, { status: 400 });
  }
  if (!Array.isArray(tags) || tags.length === 0 || tags.length > MAX_TAGS || !tags.every((tag) => typeof tag === 'string' && TAG.test(tag))) {
    return Response.json({ error: 'BAD_USER_INPUT', reason: `tags: 1 to ${MAX_TAGS} of catalog, categories, home, sitemap, suggest, product:<slug>, category:<slug>` }, { status: 400 });
  }
  // expire: 0 — the next request reads fresh data rather than a stale copy.
  for (const tag of tags as string[]) revalidateTag(tag, { expire: 0 });
  return Response.json({ revalidated: tags, at: new Date().toISOString() }, { headers: { 'cache-control': 'no-store' } });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
