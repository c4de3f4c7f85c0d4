import { graphql } from '@/graphql/generated';
import type { SuggestQuery as SuggestResult } from '@/graphql/generated/graphql';
import { CATALOG_REVALIDATE_SECONDS } from '@/lib/config';
import { errorCode } from '@/lib/errors';
import { executeGraphQL } from '@/lib/graphql';

const SuggestQuery = graphql(`
  query Suggest($prefix: String!, $first: Int!) {
    suggest(prefix: $prefix, first: $first) {
      id
      kind
      slug
      text
    }
  }
`);

/** What the search box receives: a suggestion and where it leads. */
export interface SuggestionItem {
  id: string;
  kind: SuggestResult['suggest'][number]['kind'];
  text: string;
  href: string;
}

const MAX_PREFIX = 100;

/**
 * GET /api/suggest?q=<prefix>: autocomplete for the header's search box
 * (product and category names, typo-tolerant). Public and the same for every
 * shopper, so the browser may cache it briefly and the graph read is cached.
 */
export async function GET(request: Request): Promise<Response> {
  const prefix = (new URL(request.url).searchParams.get('q') ?? '').trim().slice(0, MAX_PREFIX);
  if (!/[\p{L}\p{N}]/u.test(prefix)) return json({ suggestions: [] }, 200);
  try {
    const data = await executeGraphQL(SuggestQuery, {
      variables: { prefix: prefix.toLowerCase(), first: 8 },
      cache: { tags: ['catalog', 'suggest'], revalidate: CATALOG_REVALIDATE_SECONDS * 12 },
      timeoutMs: 3_000,
    });
    const suggestions: SuggestionItem[] = data.suggest.map((s) => ({
      id: s.id,
      kind: s.kind,
      text: s.text,
      href: s.kind === 'CATEGORY' ? `/c/${s.slug}` : `/p/${s.slug}`,
    }));
    return json({ suggestions }, 200);
  } catch (error) {
    // The box simply shows no suggestions; the form still submits to /search.
    return json({ suggestions: [], error: errorCode(error) ?? 'INTERNAL_SERVER_ERROR' }, 200, 'no-store');
  }
}

function json(body: unknown, status: number, cacheControl = 'public, max-age=30, stale-while-revalidate=60'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl } });
}
