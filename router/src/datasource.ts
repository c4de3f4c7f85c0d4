/**
 * How the router talks to one subgraph: the keep-alive fetcher, the headers a
 * subgraph needs from the client's request, identical concurrent queries sent
 * once, and error responses turned into errors that keep the subgraph's code
 * but not its address.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parseCacheControlHeader } from '@apollo/gateway/dist/datasources/parseCacheControlHeader.js';
import { GraphQLError } from 'graphql';
import { currentTraceContext } from '@commerce/observability';
import { ErrorCode } from '@commerce/errors';
import type { RouterContext } from './context.ts';
import { InflightRequests } from './inflight.ts';
import { PublicFetches } from './public-fetches.ts';
import { isIncomingOperation, isSharableOperation, type IncomingOperation } from './operation-kind.ts';
import { BufferedResponse } from './fetcher.ts';
import type { SubgraphFetchCache } from './cache/fetch-cache.ts';
import type { SubgraphFetchObserver } from './metrics.ts';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type ProcessOptions = GraphQLDataSourceProcessOptions<RouterContext>;
type GatewayResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** Headers that differ per client request but never change a subgraph's answer: left out of the sharing key. */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate']);

export interface RouterDataSourceConfig {
  url: string;
  fetcher: Fetcher;
  /**
   * Share one subgraph call between identical queries in flight at the same
   * moment (same URL, body and answer-changing headers; a shopper's fetch the
   * subgraph answered public is shared without its token). Default true.
   */
  dedupe?: boolean;
  /** The shared cache of public subgraph answers (src/cache/fetch-cache.ts); queries only. */
  fetchCache?: SubgraphFetchCache | undefined;
  /** Duration and errors of each call, for the router's metrics (metrics.ts). */
  metrics?: SubgraphFetchObserver | undefined;
}

export class RouterDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly inflight: InflightRequests<FetcherResponse> | undefined;
  private readonly publicFetches: PublicFetches | undefined;
  private readonly fetchCache: SubgraphFetchCache | undefined;
  private readonly metrics: SubgraphFetchObserver | undefined;

  constructor(config: RouterDataSourceConfig) {
    super({ url: config.url, fetcher: config.fetcher });
    this.inflight = config.dedupe === false ? undefined : new InflightRequests();
    this.publicFetches = config.dedupe === false ? undefined : new PublicFetches();
    this.fetchCache = config.fetchCache;
    this.metrics = config.metrics;
  }

  /** Calls sent for this subgraph that other identical ones are waiting on now. */
  get inflightCount(): number {
    return this.inflight?.size ?? 0;
  }

  override willSendRequest({ request, context }: ProcessOptions): void {
    const headers = request.http?.headers;
    // Health checks and schema introspection (poll mode) carry no client request.
    if (!headers || !isRouterContext(context)) return;
    for (const [name, value] of Object.entries(forwardedHeaders(context))) headers.set(name, value);
  }

  /**
   * The gateway's per-fetch path, without its per-call WHATWG Headers and
   * Request objects, plus in-flight sharing. Other kinds (health checks,
   * schema loading) and APQ keep the default path.
   */
  override async process(options: ProcessOptions): Promise<GatewayResponse> {
    if (!isIncomingOperation(options) || this.apq) return super.process(options);
    const { request, context } = options;
    if (!request.query) throw new Error('Missing query');

    const headers: Record<string, string> = {};
    // Headers the gateway asks for (e.g. federated tracing), then ours.
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (context.incomingHeaders) Object.assign(headers, forwardedHeaders(context));
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });

    const cached = this.fetchCache && isSharableOperation(options)
      ? await this.fetchCache.lookup({ url: this.url, query: request.query, variables: request.variables, body, identity: context.identity })
      : undefined;
    const sharable = this.inflight !== undefined && isSharableOperation(options);
    // A shopper's fetch known to be public is sent as the anonymous one it equals, and shared with it.
    if ((cached?.kind === 'miss' && cached.anonymous) || (sharable && this.publicFetches?.sendsAnonymously(context.identity, body))) delete headers.authorization;
    const send = (callers?: () => number): Promise<FetcherResponse> => this.fetchReplayable(headers, body, callers);
    const response =
      cached?.kind === 'hit'
        ? cached.response
        : this.inflight && sharable
          ? await this.inflight.run(sharingKey(this.url, headers, body), send)
          : await send();
    if (cached?.kind === 'miss') await cached.complete(response.clone());
    if (sharable && cached?.kind !== 'hit') this.publicFetches?.learn(context.identity, body, response);
    // Each caller parses its own copy: the gateway merges into and rewrites what it gets.
    const own = response.clone();
    if (!own.ok) throw await this.errorFromResponse(own);
    const parsed = await this.parseBody(own);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    if (this.metrics && 'errors' in parsed && Array.isArray(parsed.errors) && parsed.errors.length > 0) this.metrics.graphqlErrors(parsed.errors);
    const result: GatewayResponse = { ...parsed, http: own };
    restrictCachePolicy(this.honorSubgraphCacheControlHeader, options, own);
    return result;
  }

  /**
   * One HTTP call whose response every waiting caller can read again
   * (`callers` counts them when the call is shared: see BufferedResponse.json).
   */
  private async fetchReplayable(headers: Record<string, string>, body: string, callers?: () => number): Promise<FetcherResponse> {
    const started = performance.now();
    let response: FetcherResponse;
    try {
      response = await this.fetcher(this.url, { method: 'POST', headers, body });
    } catch (error) {
      this.metrics?.failed((performance.now() - started) / 1000, error);
      throw error;
    }
    this.metrics?.fetched((performance.now() - started) / 1000, response.status);
    let replayable: BufferedResponse;
    if (response instanceof BufferedResponse) replayable = response;
    else {
      // Another fetcher (tests, make-fetch-happen): read its stream once, replay the bytes.
      const raw: Record<string, string> = {};
      for (const [name, value] of response.headers) raw[name] = value;
      replayable = new BufferedResponse(response.url, response.status, response.statusText, raw, Buffer.from(await response.text(), 'utf8'));
    }
    return callers ? replayable.readBy(callers) : replayable;
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

function isRouterContext(context: object): context is RouterContext {
  return 'incomingHeaders' in context && context.incomingHeaders !== undefined;
}

/** What a subgraph needs from the client's request: the token (subgraphs verify it again), request id, trace context. */
function forwardedHeaders(context: RouterContext): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context.authorization) headers.authorization = context.authorization;
  headers['x-request-id'] = context.requestId;
  const trace = currentTraceContext(context.incomingHeaders);
  if (trace.traceparent) headers.traceparent = trace.traceparent;
  if (trace.tracestate) headers.tracestate = trace.tracestate;
  return headers;
}

/** URL, every header that can change the answer (authorization above all), and the body. */
function sharingKey(url: string, headers: Record<string, string>, body: string): string {
  let key = url;
  for (const name in headers) if (!PER_REQUEST_HEADERS.has(name)) key += `\n${name}:${headers[name]}`;
  return `${key}\n\n${body}`;
}

/** As the default data source does: a subgraph's Cache-Control narrows the response's cache policy. */
function restrictCachePolicy(honor: boolean, options: IncomingOperation<RouterContext>, response: FetcherResponse): void {
  const policy: unknown = options.incomingRequestContext.overallCachePolicy;
  if (!honor || typeof policy !== 'object' || policy === null || !('restrict' in policy) || typeof policy.restrict !== 'function') return;
  const parsed = parseCacheControlHeader(response.headers.get('cache-control') ?? undefined);
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  const maxAge = parsed['max-age'];
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
  if (parsed.private === true) hint.scope = 'PRIVATE';
  if (parsed.public === true) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}

function firstGraphQLError(body: unknown): { message: string; code: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return undefined;
  const first: unknown = body.errors[0];
  if (typeof first !== 'object' || first === null || !('message' in first) || typeof first.message !== 'string') return undefined;
  const extensions = 'extensions' in first && typeof first.extensions === 'object' && first.extensions !== null ? first.extensions : undefined;
  const code = extensions && 'code' in extensions && typeof extensions.code === 'string' ? extensions.code : undefined;
  return { message: first.message, code };
}
