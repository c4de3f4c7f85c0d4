/**
 * How the router talks to one subgraph: the keep-alive fetcher, the headers a
 * subgraph needs from the client's request, and error responses turned into
 * errors that keep the subgraph's code but not its address.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { currentTraceContext } from '@commerce/observability';
import { ErrorCode } from '@commerce/errors';
import type { RouterContext } from './context.ts';

type FetcherResponse = Awaited<ReturnType<RemoteGraphQLDataSource['fetcher']>>;

export class RouterDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    // Health checks and schema introspection (poll mode) carry no client request.
    if (!headers || !context.incomingHeaders) return;
    // Subgraphs verify the token themselves; the router only forwards it.
    if (context.authorization) headers.set('authorization', context.authorization);
    headers.set('x-request-id', context.requestId);
    const trace = currentTraceContext(context.incomingHeaders);
    if (trace.traceparent) headers.set('traceparent', trace.traceparent);
    if (trace.tracestate) headers.set('tracestate', trace.tracestate);
  }

  /**
   * A non-2xx subgraph answer. The default puts the subgraph URL and raw body
   * into `extensions.response`, which would reach the client; keep only the
   * subgraph's own first error (message and code) when it sent one.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    let body: unknown;
    try {
      body = await this.parseBody(response);
    } catch {
      body = undefined;
    }
    const first = firstGraphQLError(body);
    if (first) return new GraphQLError(first.message, { extensions: first.code ? { code: first.code } : {} });
    const code = response.status === 401 ? ErrorCode.UNAUTHENTICATED : response.status === 403 ? ErrorCode.FORBIDDEN : undefined;
    return new GraphQLError(`Subgraph answered HTTP ${response.status}.`, { extensions: code ? { code } : {} });
  }
}

function firstGraphQLError(body: unknown): { message: string; code: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return undefined;
  const first: unknown = body.errors[0];
  if (typeof first !== 'object' || first === null || !('message' in first) || typeof first.message !== 'string') return undefined;
  const extensions = 'extensions' in first && typeof first.extensions === 'object' && first.extensions !== null ? first.extensions : undefined;
  const code = extensions && 'code' in extensions && typeof extensions.code === 'string' ? extensions.code : undefined;
  return { message: first.message, code };
}
