import 'server-only';
import { headers as requestHeaders } from 'next/headers';
import {
  type GraphQLErrorShape,
  GraphQLRequestError,
  postOperation,
  RouterUnavailableError as SharedRouterUnavailableError,
} from '@commerce/next-kit/graphql';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { routerUrl } from './config';

export { GraphQLRequestError } from '@commerce/next-kit/graphql';

/** The router could not be reached or answered with a server error (in the shop's words). */
export class RouterUnavailableError extends SharedRouterUnavailableError {
  constructor(cause: unknown) {
    super(cause, 'The shop is temporarily unavailable');
  }
}

/**
 * How a read may be cached. Catalog reads are shared between shoppers and
 * tagged (`product:<slug>`, `category:<slug>`) so an event can revalidate them;
 * anything personal (a token is sent) is never cached.
 */
export type CachePolicy = { tags: string[]; revalidate: number } | 'no-store';

export interface ExecuteOptions<TVariables> {
  variables?: TVariables;
  /** The shopper's access token; forces `no-store`. */
  accessToken?: string | undefined;
  cache?: CachePolicy;
  timeoutMs?: number;
}

/**
 * Sends one typed operation to the router. Throws GraphQLRequestError when
 * the response carries errors and no data to use, RouterUnavailableError when
 * the router is down; use `executeGraphQLResult` to handle partial data.
 */
export async function executeGraphQL<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  options: ExecuteOptions<TVariables> = {},
): Promise<TResult> {
  const result = await executeGraphQLResult(document, options);
  if (result.errors?.length) throw new GraphQLRequestError(result.errors);
  if (!result.data) throw new GraphQLRequestError([{ message: 'Empty response', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  return result.data;
}

export interface GraphQLResult<TResult> {
  data: TResult | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

export async function executeGraphQLResult<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  { variables, accessToken, cache = 'no-store', timeoutMs = 10_000 }: ExecuteOptions<TVariables> = {},
): Promise<GraphQLResult<TResult>> {
  const personal = cache === 'no-store' || Boolean(accessToken);
  // A shopper's own request spends the shopper's address budget at the router (it trusts this server as a proxy);
  // a shared, cached catalog read names no one.
  const forwardedFor = personal ? await shopperForwardedFor() : undefined;
  const { status, payload } = await postOperation<TResult, TVariables>({
    routerUrl: routerUrl(),
    document,
    variables,
    accessToken,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    caching: cache === 'no-store' || accessToken ? { cache: 'no-store' } : { next: { tags: cache.tags, revalidate: cache.revalidate } },
    timeoutMs,
    unavailable: (cause) => new RouterUnavailableError(cause),
  });
  if (status === 503 && !payload.data) throw new RouterUnavailableError(new Error('router answered 503'));
  return { data: payload.data, errors: payload.errors };
}

/** The X-Forwarded-For chain of the shopper's request to this server (Next sets it), outside a request: none. */
async function shopperForwardedFor(): Promise<string | undefined> {
  try {
    return (await requestHeaders()).get('x-forwarded-for') ?? undefined;
  } catch {
    return undefined;
  }
}
