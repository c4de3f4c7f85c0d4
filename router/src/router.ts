/**
 * The supergraph router: @apollo/gateway behind Apollo Server 5 on plain
 * node:http.
 *
 * It is benchmarked against a bare gateway, so each feature is placed where
 * it costs least: auth is one Map lookup per request after a token's first
 * use, limits run inside validation (cached per document), subgraph calls use
 * a keep-alive client, and no per-request plugin is installed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, type SupergraphManager, type SupergraphSdlHook } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Identity } from '@commerce/auth';
import { appEnv, isProduction, readEnv, readIntEnv, routerPort } from '@commerce/config';
import { ErrorCode } from '@commerce/errors';
import {
  createHttpServer,
  headerEntries,
  readGraphQLBody,
  requestIdOf,
  sendGraphQLError,
  sendJson,
  writeGraphQLResponse,
  type RequestTarget,
} from '@commerce/http-server';
import { startMetricsServer, type MetricsServer } from '@commerce/metrics';
import { createLogger, type Logger } from '@commerce/observability';
import { TokenCache } from './auth.ts';
import { responseCacheFromEnv, startResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from './cache/index.ts';
import type { RouterContext } from './context.ts';
import { RouterDataSource } from './datasource.ts';
import { createErrorFormatter } from './errors.ts';
import { installGatewayPatches } from './gateway-patches.ts';
import { createSubgraphFetcher } from './fetcher.ts';
import { complexityRule, type ComplexityLimits } from './limits.ts';
import { countRejection, didResolveQueryPlan, observeSubscriptions, requestMetrics, requestMetricsPlugin, subgraphFetchObserver, timeQueryPlanning } from './metrics.ts';
import { operationResolutionPlugin } from './operation-resolution.ts';
import { startProtection, type ProtectionOptions } from './protection.ts';
import { studioPlugins } from './studio.ts';
import { fileSupergraph, pollSupergraph, resolveSubgraphUrl } from './supergraph.ts';
import { SubscriptionPlanner } from './subscriptions/planner.ts';
import {
  createSubscriptionServer,
  subscriptionOptionsFromEnv,
  type SubscriptionOptions,
  type SubscriptionServer,
  type SubscriptionStats,
} from './subscriptions/server.ts';
import type { UpstreamOptions } from './subscriptions/upstream.ts';

export interface RouterLimits extends ComplexityLimits {
  /** Largest accepted request body; bigger ones get 413 PAYLOAD_TOO_LARGE without being read. */
  maxBodyBytes: number;
  /**
   * Most lexical tokens in a document; more is GRAPHQL_PARSE_FAILED before any
   * work. graphql-js validates and Apollo's planner expands fragment spreads
   * recursively: a chain of 4,000 fragments each spreading the next overflowed
   * the stack (a 500) where 2,000 did not. 5,000 tokens allow at most ~625 such
   * fragments; the apps' largest operation has a few hundred tokens.
   */
  maxTokens: number;
}

/** Subscription settings; every field defaults from the environment (see subscriptionOptionsFromEnv). */
export type RouterSubscriptionOptions = Partial<Omit<SubscriptionOptions, 'upstream'>> & { upstream?: Partial<UpstreamOptions> };

export interface RouterOptions {
  /** Default ROUTER_PORT/PORT or 4000; 0 picks a free port. */
  port?: number;
  /** Interface to bind; default all (IPv4 and IPv6). */
  host?: string;
  /** Supergraph SDL file to serve and watch; default schema/supergraph.graphql. */
  supergraphPath?: string;
  /** Hot-swap the supergraph when the file changes (default true). */
  watch?: boolean;
  /**
   * Development only: compose from the running subgraphs listed in
   * supergraph.yaml instead of the file, re-checking every interval.
   */
  poll?: boolean | { intervalMs?: number; configPath?: string };
  /** Per-subgraph URL overrides (tests run subgraphs on ephemeral ports); see resolveSubgraphUrl. */
  subgraphUrls?: Readonly<Record<string, string>>;
  /** Production turns off introspection and the Sandbox landing page. Default from APP_ENV/NODE_ENV. */
  production?: boolean;
  limits?: Partial<RouterLimits>;
  logger?: Logger;
  /** Allowed browser origins for CORS; default `*` outside production, none in production (ROUTER_CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** Called after every attempted hot reload of the supergraph file. */
  onSupergraphReload?: (outcome: { ok: true } | { ok: false; error: Error }) => void;
  /**
   * GraphQL subscriptions over graphql-ws on the same /graphql URL (default
   * on; `false` or ROUTER_SUBSCRIPTIONS=false leaves upgrades unanswered).
   */
  subscriptions?: false | RouterSubscriptionOptions;
  /**
   * Shared cache of public answers in Redis, dropped on the subgraphs' change
   * events (src/cache/, README "Response cache"). Default off;
   * ROUTER_RESPONSE_CACHE=on or `{}` turns it on.
   */
  responseCache?: false | ResponseCacheOptions;
  /**
   * Identical subgraph queries in flight at the same moment share one call
   * (never mutations). Default on; `false` or ROUTER_DEDUPE=false sends each.
   */
  dedupe?: boolean;
  /**
   * Port of the Prometheus endpoint (`/metrics`, a server of its own, never the
   * GraphQL port): ROUTER_METRICS_PORT, default 9464; 0 picks a free one;
   * `false` (or ROUTER_METRICS_PORT=off) serves none. Under APP_ENV=test the
   * default is none, so tests starting several routers do not collide.
   */
  metricsPort?: number | false;
  /** Safelist, cost and rate limits (protection.ts, README "Known operations, cost and rate limits"); default from the environment. */
  protection?: ProtectionOptions;
}

/** ROUTER_METRICS_PORT: a port, or off/false. */
export function metricsPortFromEnv(): number | false {
  const raw = readEnv('ROUTER_METRICS_PORT');
  if (raw === undefined) return appEnv() === 'test' ? false : DEFAULT_METRICS_PORT;
  if (raw === 'off' || raw === 'false') return false;
  return readIntEnv('ROUTER_METRICS_PORT', DEFAULT_METRICS_PORT);
}
const DEFAULT_METRICS_PORT = 9464;

export interface RunningRouter {
  /** http://host:port/graphql */
  url: string;
  port: number;
  /** http://127.0.0.1:<metrics port>/metrics; undefined when not served. */
  metricsUrl: string | undefined;
  /** Subscribe to schema loads and swaps; returns an unsubscribe function. */
  onSchemaChange(listener: (schema: GraphQLSchema) => void): () => void;
  /** Live subscription counts (all zero when subscriptions are off). */
  subscriptionStats(): SubscriptionStats;
  /** Response cache counters; undefined when the cache is off. */
  responseCacheStats(): ResponseCacheStats | undefined;
  /** Stops accepting requests, lets in-flight ones finish, stops the gateway. */
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function limitsFromEnv(): RouterLimits {
  return {
    maxDepth: readIntEnv('ROUTER_MAX_DEPTH', 12),
    maxAliases: readIntEnv('ROUTER_MAX_ALIASES', 30),
    maxFields: readIntEnv('ROUTER_MAX_FIELDS', 500),
    maxBodyBytes: readIntEnv('ROUTER_MAX_BODY_BYTES', 1024 * 1024),
    maxTokens: readIntEnv('ROUTER_MAX_TOKENS', 5_000),
  };
}

export async function createRouter(options: RouterOptions = {}): Promise<RunningRouter> {
  const production = options.production ?? isProduction();
  const logger = options.logger ?? createLogger({ service: 'router' });
  const limits: RouterLimits = { ...limitsFromEnv(), ...options.limits };
  const corsOrigins = new Set(
    options.corsOrigins ??
      (readEnv('ROUTER_CORS_ORIGINS') ?? (production ? '' : '*'))
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
  );
  const tokens = new TokenCache();
  const fetcher = createSubgraphFetcher({ timeoutMs: readIntEnv('ROUTER_SUBGRAPH_TIMEOUT_MS', 30_000) });
  const subgraphUrls = options.subgraphUrls ?? {};
  const dedupe = options.dedupe ?? readEnv('ROUTER_DEDUPE') !== 'false';
  const protection = startProtection(options.protection ?? {}, production, logger);

  let supergraphSource: SupergraphSdlHook | SupergraphManager;
  if (options.poll) {
    if (production) throw new Error('Polling subgraphs (--poll) is for development; production serves the composed schema/supergraph.graphql.');
    const poll = options.poll === true ? {} : options.poll;
    supergraphSource = await pollSupergraph({
      configPath: poll.configPath ?? `${repoRoot}supergraph.yaml`,
      intervalMs: poll.intervalMs ?? readIntEnv('ROUTER_POLL_INTERVAL_MS', 2_000),
      subgraphUrls,
      logger,
    });
  } else {
    const path = options.supergraphPath ?? readEnv('ROUTER_SUPERGRAPH_PATH') ?? `${repoRoot}schema/supergraph.graphql`;
    const manager = fileSupergraph({ path, logger, onReload: options.onSupergraphReload });
    supergraphSource =
      options.watch === false
        ? async (hooks) => {
            const loaded = await manager(hooks);
            await loaded.cleanup?.();
            return { supergraphSdl: loaded.supergraphSdl };
          }
        : manager;
  }

  // Cheaper per-request execution inside the gateway (see gateway-patches.ts); ROUTER_FAST_EXECUTION=false keeps it stock.
  if (readEnv('ROUTER_FAST_EXECUTION') !== 'false') installGatewayPatches(logger);
  timeQueryPlanning();
  // Unless told otherwise, the gateway reports usage to Apollo hourly and probes cloud metadata endpoints at start.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

  const cacheOptions = options.responseCache ?? responseCacheFromEnv();
  const responseCache = cacheOptions === false ? undefined : startResponseCache(cacheOptions, logger);

  // The gateway's data sources by subgraph name: subscriptions resolve each event's other fields with them.
  const dataSources = new Map<string, RouterDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphSource,
    logger,
    // Validate every supergraph we load, production included: a bad hot reload must be rejected, not served.
    validateSupergraph: true,
    // Plan-cache hits and misses (metrics.ts); the planner itself is timed by timeQueryPlanning().
    experimental_didResolveQueryPlan: didResolveQueryPlan,
    buildService: ({ name, url }) => {
      const dataSource = new RouterDataSource({
        url: resolveSubgraphUrl(name, url ?? '', subgraphUrls),
        fetcher: fetcher.fetch,
        dedupe,
        fetchCache: responseCache?.fetches,
        metrics: subgraphFetchObserver(name),
      });
      dataSources.set(name, dataSource);
      return dataSource;
    },
  });
  const formatError = createErrorFormatter(production, logger);
  const subscriptionsEnabled = options.subscriptions !== false && readEnv('ROUTER_SUBSCRIPTIONS') !== 'false';
  const planner = subscriptionsEnabled ? new SubscriptionPlanner({ limits, production }) : undefined;
  // Registered before start(): the first load must reach the planner too.
  if (planner) gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => planner.update(apiSchema, coreSupergraphSdl));

  const server = new ApolloServer<RouterContext>({
    gateway,
    logger,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [complexityRule(limits)],
    plugins: [
      // Apollo Studio usage and schema reporting, only with APOLLO_KEY and APOLLO_GRAPH_REF (first, as Apollo installs it).
      ...studioPlugins<RouterContext>({ logger }),
      requestMetricsPlugin(),
      operationResolutionPlugin(),
      protection.plugin,
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      ...(responseCache ? [responseCache.plugin] : []),
    ],
    formatError,
  });
  await server.start();

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (!origin || corsOrigins.size === 0) return;
    if (corsOrigins.has('*') || corsOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
  };

  /** One observation per request (metrics.ts): rate, errors and duration by operation. */
  const observe = (req: IncomingMessage, status: number, started: number, context?: RouterContext, errorCode?: string): void => {
    requestMetrics.observe({
      method: req.method ?? 'GET',
      status,
      operationName: context?.observed?.operationName,
      operationType: context?.observed?.operationType,
      errorType: errorCode ?? context?.observed?.errorCode,
      seconds: (performance.now() - started) / 1000,
    });
  };

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    cors(req, res);
    const read = await readGraphQLBody(req, res, limits.maxBodyBytes);
    if (read.answered) {
      const code = res.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      countRejection(code);
      observe(req, res.statusCode, started, undefined, code);
      return;
    }
    const known = protection.safelist.check(req.method ?? 'GET', read.body, search);
    if (!known.ok) {
      sendGraphQLError(res, known.status, known.code, known.message);
      countRejection(known.code);
      observe(req, known.status, started, undefined, known.code);
      return;
    }

    // Authenticate before Apollo parses, validates or plans anything: a bad token costs one lookup.
    const authorization = req.headers.authorization;
    let identity: Identity | null;
    try {
      const pending = tokens.identify(authorization);
      identity = pending instanceof Promise ? await pending : pending;
    } catch (error) {
      const appError = error instanceof GraphQLError ? error : undefined;
      const reason = typeof appError?.extensions.reason === 'string' ? appError.extensions.reason : 'TOKEN_INVALID';
      sendGraphQLError(res, 401, ErrorCode.UNAUTHENTICATED, appError?.message ?? 'The access token is invalid.', {
        extensions: { reason },
        headers: { 'www-authenticate': `Bearer error="invalid_token"` },
      });
      countRejection(ErrorCode.UNAUTHENTICATED);
      observe(req, 401, started, undefined, ErrorCode.UNAUTHENTICATED);
      return;
    }

    const context: RouterContext & { clientAddress: string } = { identity, authorization, requestId, incomingHeaders: req.headers, clientAddress: protection.clientAddress(req), observed: {} };
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: new HeaderMap(headerEntries(req.headers)), search: known.search, body: known.body },
      context: () => Promise.resolve(context),
    });
    await writeGraphQLResponse(res, response);
    observe(req, response.status ?? 200, started, context);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, { path, search }: RequestTarget): Promise<void> => {
    if (path !== '/graphql') return sendJson(res, 404, { error: 'Not found' });
    if (req.method === 'OPTIONS') {
      cors(req, res);
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type, authorization',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    await handleGraphQL(req, res, search);
  };

  let subscriptionServer: SubscriptionServer | undefined;
  if (planner) {
    const defaults = subscriptionOptionsFromEnv();
    const overrides = options.subscriptions === false ? {} : (options.subscriptions ?? {});
    subscriptionServer = createSubscriptionServer({
      options: { ...defaults, ...overrides, upstream: { ...defaults.upstream, ...overrides.upstream } },
      planner,
      tokens,
      dataSources,
      formatError,
      logger,
      production,
      safelist: protection.safelist,
      cost: protection.cost,
      clientAddress: (request) => protection.clientAddress(request),
      async executeSingle(request, context) {
        const response = await server.executeOperation(
          { query: request.query, variables: request.variables ?? undefined, operationName: request.operationName ?? undefined, extensions: request.extensions ?? undefined },
          { contextValue: context },
        );
        return response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
      },
    });
  }

  // In-flight requests get ROUTER_DRAIN_MS to finish on stop, then their connections are cut.
  const http = createHttpServer({ handle, logger, drainTimeoutMs: readIntEnv('ROUTER_DRAIN_MS', 10_000) });
  // WebSocket upgrades only; the request listener above (the HTTP path) is untouched.
  if (subscriptionServer) http.server.on('upgrade', subscriptionServer.handleUpgrade);
  const bound = await http.listen(options.port ?? routerPort(), options.host);
  const shownHost = !options.host || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${bound}/graphql`;
  const stopObservingSubscriptions = observeSubscriptions(() => subscriptionServer?.stats() ?? { connections: 0, subscriptions: 0, subgraphConnections: 0 });
  const metricsPort = options.metricsPort ?? metricsPortFromEnv();
  let metricsServer: MetricsServer | undefined;
  if (metricsPort !== false) {
    try {
      metricsServer = await startMetricsServer({ port: metricsPort, ...(options.host ? { host: options.host } : {}) });
    } catch (error) {
      // Metrics are not worth refusing traffic for (a second router in one process, a taken port).
      logger.warn({ err: error, metricsPort }, 'router: metrics port unavailable; /metrics is not served');
    }
  }
  logger.info({ url, production, poll: Boolean(options.poll), limits, dedupe, metrics: metricsServer?.url }, 'router ready');

  return {
    url,
    port: bound,
    metricsUrl: metricsServer?.url,
    onSchemaChange: (listener) => gateway.onSchemaLoadOrUpdate(({ apiSchema }) => listener(apiSchema)),
    subscriptionStats: () => subscriptionServer?.stats() ?? { connections: 0, subscriptions: 0, subgraphConnections: 0 },
    responseCacheStats: () => responseCache?.stats(),
    async stop() {
      if (http.shuttingDown) return;
      // WebSockets first: the HTTP server's close also waits for upgraded sockets.
      await http.stop({ beforeClose: async () => subscriptionServer?.close() });
      await server.stop();
      await responseCache?.stop();
      fetcher.close();
      stopObservingSubscriptions();
      await metricsServer?.stop();
      await protection.stop();
    },
  };
}
