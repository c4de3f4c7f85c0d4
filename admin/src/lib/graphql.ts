import 'server-only';
import { GraphQLRequestError, postOperation, RouterUnavailableError } from '@commerce/next-kit/graphql';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { routerUrl } from './config';

export { GraphQLRequestError, RouterUnavailableError } from '@commerce/next-kit/graphql';

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
  const { status, payload } = await postOperation<TResult, TVariables>({
    routerUrl: routerUrl(),
    document,
    variables,
    accessToken,
    caching: { cache: 'no-store' },
    timeoutMs,
    unavailable: (cause) => new RouterUnavailableError(cause),
  });
  if (payload.errors?.length) throw new GraphQLRequestError(payload.errors);
  if (!payload.data) {
    if (status === 503) throw new RouterUnavailableError(new Error('router answered 503'));
    throw new GraphQLRequestError([{ message: 'Empty response', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  }
  return payload.data;
}
