import 'server-only';
import { headers as requestHeaders } from 'next/headers';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { routerUrl } from './config';

/** One error of a GraphQL response, with the stable code the subgraphs and the router set. */
export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; reason?: string; [key: string]: unknown };
}

/** The graph answered with errors; `code` is the first error's `extensions.code`. */
export class GraphQLRequestError extends Error {
  readonly code: string;
  constructor(readonly errors: readonly GraphQLErrorShape[]) {
    super(errors[0]?.message ?? 'GraphQL error');
    this.name = 'GraphQLRequestError';
    this.code = errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  }
  get reason(): string | undefined {
    return this.errors[0]?.extensions?.reason;
  }
}

/** The router could not be reached or answered with a server error. */
export class RouterUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(cause: unknown) {
    super('The shop is temporarily unavailable', { cause });
    this.name = 'RouterUnavailableError';
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
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const personal = cache === 'no-store' || Boolean(accessToken);
  // A shopper's own request spends the shopper's address budget at the router (it trusts this server as a proxy);
  // a shared, cached catalog read names no one.
  const forwardedFor = personal ? await shopperForwardedFor() : undefined;
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  const body = JSON.stringify({ query: document.toString(), variables: variables ?? {}, operationName: operationName(document) });
  const caching: RequestInit = cache === 'no-store' || accessToken ? { cache: 'no-store' } : { next: { tags: cache.tags, revalidate: cache.revalidate } };
  let response: Response;
  try {
    response = await fetch(routerUrl(), { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), ...caching });
  } catch (error) {
    throw new RouterUnavailableError(error);
  }
  if (response.status >= 500 && response.status !== 503) throw new RouterUnavailableError(new Error(`router answered ${response.status}`));
  let payload: GraphQLResult<TResult>;
  try {
    payload = (await response.json()) as GraphQLResult<TResult>;
  } catch (error) {
    throw new RouterUnavailableError(error);
  }
  if (response.status === 503 && !payload.data) throw new RouterUnavailableError(new Error('router answered 503'));
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

function operationName(document: { toString(): string }): string | undefined {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document.toString())?.[1];
}
