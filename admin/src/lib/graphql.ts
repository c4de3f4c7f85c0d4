import 'server-only';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { routerUrl } from './config';

/** One error of a GraphQL response, with the stable code the subgraphs and the router set. */
export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; reason?: string; field?: unknown; [key: string]: unknown };
}

/** The graph answered with errors; `code` is the first error's `extensions.code`. */
export class GraphQLRequestError extends Error {
  readonly code: string;
  constructor(readonly errors: readonly GraphQLErrorShape[]) {
    super(errors[0]?.message ?? 'GraphQL error');
    this.name = 'GraphQLRequestError';
    this.code = errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  }
  get extensions(): GraphQLErrorShape['extensions'] {
    return this.errors[0]?.extensions;
  }
}

/** The router could not be reached or answered with a server error. */
export class RouterUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(cause: unknown) {
    super('The graph is temporarily unavailable', { cause });
    this.name = 'RouterUnavailableError';
  }
}

export interface ExecuteOptions<TVariables> {
  variables?: TVariables;
  /** The admin's access token. */
  accessToken?: string | undefined;
  timeoutMs?: number;
}

/**
 * Sends one typed operation to the router. Nothing the console reads is
 * cached: every fetch is `no-store` (admin data is personal and must be
 * current). Throws GraphQLRequestError when the answer has errors,
 * RouterUnavailableError when the router is down.
 */
export async function executeGraphQL<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  { variables, accessToken, timeoutMs = 15_000 }: ExecuteOptions<TVariables> = {},
): Promise<TResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const body = JSON.stringify({ query: document.toString(), variables: variables ?? {}, operationName: operationName(document) });
  let response: Response;
  try {
    response = await fetch(routerUrl(), { method: 'POST', headers, body, cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RouterUnavailableError(error);
  }
  if (response.status >= 500 && response.status !== 503) throw new RouterUnavailableError(new Error(`router answered ${response.status}`));
  let payload: { data?: TResult | null; errors?: GraphQLErrorShape[] };
  try {
    payload = (await response.json()) as typeof payload;
  } catch (error) {
    throw new RouterUnavailableError(error);
  }
  if (payload.errors?.length) throw new GraphQLRequestError(payload.errors);
  if (!payload.data) {
    if (response.status === 503) throw new RouterUnavailableError(new Error('router answered 503'));
    throw new GraphQLRequestError([{ message: 'Empty response', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  }
  return payload.data;
}

function operationName(document: { toString(): string }): string | undefined {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document.toString())?.[1];
}
