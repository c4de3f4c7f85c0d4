import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApolloServer,
  HeaderMap,
  type ApolloServerPlugin,
  type GraphQLRequestContextDidEncounterErrors,
  type HTTPGraphQLRequest,
} from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { identityFromAuthorization, type Identity } from '@commerce/auth';
import { isProduction, readIntEnv } from '@commerce/config';
import { maskError } from '@commerce/errors';
import {
  createHttpServer,
  headerEntries,
  PayloadTooLarge,
  readBody,
  readGraphQLBody,
  requestIdOf,
  sendJson,
  writeGraphQLResponse,
  type RequestTarget,
} from '@commerce/http-server';
import {
  createLogger,
  currentTraceContext,
  hasActiveSpan,
  shutdownTelemetry,
  traceLogFields,
  type Logger,
} from '@commerce/observability';
import { firstErrorCode, graphqlRequestMetrics, serveMetrics, type GraphQLRequestMetrics } from '@commerce/metrics';
import { cachePolicyPlugin } from './cache-policy.js';
import { MAX_DOCUMENT_TOKENS } from './document-limits.js';
import { applyPermissions } from './permissions.js';
import { serveSubscriptions } from './subscriptions.js';
import type { BaseContext, GraphQLResolverMap, RouteHandler, RunningSubgraph, SubgraphDefinition } from './types.js';

export interface StartSubgraphOptions {
  /** 0 = ephemeral (tests). Defaults to 0; main.ts passes `subgraphPort(name)`. */
  port?: number;
  /** Interface to bind. HOST, else all interfaces (containers need that). */
  host?: string;
  /** Largest accepted request body. GRAPHQL_MAX_BODY_BYTES, default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * How long `stop()` keeps serving while /ready already answers 503, so a load
   * balancer can notice before we stop accepting. SHUTDOWN_DELAY_MS, default 0.
   */
  shutdownDelayMs?: number;
  /** Longest wait for in-flight requests before their connections are cut. SHUTDOWN_DRAIN_TIMEOUT_MS, default 10 s. */
  drainTimeoutMs?: number;
  /** Defaults to `createLogger({ service: def.name })`. */
  logger?: Logger;
}

const RESERVED_PATHS = new Set(['/graphql', '/health', '/ready', '/metrics']);

/**
 * Request rate, errors and duration per operation (http_server_request_duration_seconds,
 * @commerce/metrics): one histogram observation per request, no per-field hook.
 */
function requestMetricsPlugin<TContext extends BaseContext>(metrics: GraphQLRequestMetrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName, errors }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          metrics.observe({
            method: request.http?.method ?? 'POST',
            status: response.http.status ?? 200,
            operationName: operationName ?? request.operationName,
            operationType: operation?.operation,
            errorType: firstErrorCode(errors ?? single?.errors),
            seconds: (performance.now() - started) / 1000,
          });
        },
      };
    },
  };
}

/** `def.routes` checked once at start: exact absolute paths, none of the kit's own. */
function routeTable(routes: Record<string, RouteHandler> | undefined): Map<string, RouteHandler> {
  const table = new Map<string, RouteHandler>();
  for (const [path, handler] of Object.entries(routes ?? {})) {
    if (!path.startsWith('/') || path.includes('?')) throw new Error(`Route "${path}" must be an absolute path without a query`);
    if (RESERVED_PATHS.has(path)) throw new Error(`Route "${path}" is served by the subgraph kit itself`);
    table.set(path, handler);
  }
  return table;
}

/** The schema a subgraph serves: `buildSubgraphSchema` plus the permission rules. */
export function buildSchema<TContext extends BaseContext>(def: SubgraphDefinition<TContext>): GraphQLSchema {
  // The resolver map is typed with the subgraph's own context; buildSubgraphSchema
  // only knows `unknown`, and resolver parameters are contravariant, hence the cast.
  const schema = buildSubgraphSchema({
    typeDefs: def.typeDefs,
    resolvers: def.resolvers as unknown as GraphQLResolverMap<unknown>,
  });
  return applyPermissions(schema, def.permissions);
}

/**
 * A rejected token is a client error, not a crash: answer with a GraphQL-shaped
 * UNAUTHENTICATED error and HTTP 200. 200 on purpose: @apollo/gateway turns a
 * non-2xx subgraph response into an opaque "401: Unauthorized" error (carrying
 * the subgraph URL), while a 200 body keeps our code and reason intact.
 * Apollo removes `extensions.http` from what the client sees.
 */
function authenticationFailure(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status: 200 } },
    originalError: error,
  });
}

/** Apollo's logger interface on top of pino. */
function apolloLogger(logger: Logger) {
  return {
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.info(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string) => logger.error(message),
  };
}

/**
 * Serves a subgraph: Apollo Server 5 on a plain node:http server (no framework
 * in the hot path; the router in front of us is benchmarked).
 *
 * POST/GET /graphql, GET /health (process alive), GET /ready (`def.ready()`
 * passes and not shutting down), GET /metrics (Prometheus text), and POST on each of `def.routes` (raw body
 * handed to the route; 405 for other methods). Every GraphQL request verifies the forwarded
 * Authorization header again; errors are masked by `maskError`.
 */
export async function startSubgraph<TContext extends BaseContext>(
  def: SubgraphDefinition<TContext>,
  options: StartSubgraphOptions = {},
): Promise<RunningSubgraph> {
  const logger = options.logger ?? createLogger({ service: def.name });
  const maxBodyBytes = options.maxBodyBytes ?? readIntEnv('GRAPHQL_MAX_BODY_BYTES', 1024 * 1024);
  const shutdownDelayMs = options.shutdownDelayMs ?? readIntEnv('SHUTDOWN_DELAY_MS', 0);
  const drainTimeoutMs = options.drainTimeoutMs ?? readIntEnv('SHUTDOWN_DRAIN_TIMEOUT_MS', 10_000);
  const production = isProduction();
  const routes = routeTable(def.routes);

  // Hidden errors are logged once: with the request's logger (requestId, trace id)
  // when Apollo reports them to plugins, else by formatError with the base logger.
  const loggedErrors = new WeakSet<object>();
  const logHidden = (requestLogger: Logger, error: unknown, path?: readonly (string | number)[]): void => {
    const original = unwrapResolverError(error);
    if (typeof original === 'object' && original !== null) {
      if (loggedErrors.has(original)) return;
      loggedErrors.add(original);
    }
    requestLogger.error({ err: original, path }, 'internal error hidden from client');
  };
  const requestListener = {
    async didEncounterErrors(requestContext: GraphQLRequestContextDidEncounterErrors<TContext>) {
      const requestLogger = requestContext.contextValue?.logger ?? logger;
      for (const error of requestContext.errors) {
        // Same decision as formatError: only what maskError would hide is logged as an error.
        maskError({ message: error.message, extensions: error.extensions }, error, {
          onInternalError: () => logHidden(requestLogger, error, error.path),
        });
      }
    },
  };

  const plugins: ApolloServerPlugin<TContext>[] = [
    // Federated tracing (ftv1) is for Apollo Studio, which we do not use; skip its per-request hooks.
    ApolloServerPluginInlineTraceDisabled(),
    // Cache-Control from the @cacheControl hints once per operation, not a hook on every field (cache-policy.ts).
    ApolloServerPluginCacheControlDisabled(),
    cachePolicyPlugin<TContext>(),
    { requestDidStart: async () => requestListener },
    requestMetricsPlugin<TContext>(graphqlRequestMetrics(def.name)),
  ];
  if (production) plugins.push(ApolloServerPluginLandingPageDisabled());

  const schema = buildSchema(def);
  const apollo = new ApolloServer<TContext>({
    schema,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // No "did you mean" field suggestions for strangers in production.
    hideSchemaDetailsFromClientErrors: production,
    formatError: (formatted, error) =>
      maskError(formatted, error, {
        onInternalError: (original) => logHidden(logger, original, formatted.path),
      }),
    logger: apolloLogger(logger),
    // installSignalHandlers drains every server of the process together.
    stopOnTerminationSignals: false,
    plugins,
  });
  await apollo.start();

  const createContext = async (req: IncomingMessage, requestId: string): Promise<TContext> => {
    let identity: Identity | null;
    try {
      identity = await identityFromAuthorization(req.headers.authorization);
    } catch (error) {
      throw authenticationFailure(error);
    }
    // With the SDK on, the logger mixin adds the active span's ids; off, bind the caller's trace id.
    const requestLogger = logger.child(hasActiveSpan() ? { requestId } : { requestId, ...traceLogFields(req.headers) });
    const authorization = identity ? req.headers.authorization : undefined;
    return def.createContext({
      identity,
      requestId,
      logger: requestLogger,
      traceContext: currentTraceContext(req.headers),
      ...(authorization ? { authorization } : {}),
    });
  };

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const read = await readGraphQLBody(req, res, maxBodyBytes);
    if (read.answered) return;
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers: new HeaderMap(headerEntries(req.headers)),
      search,
      body: read.body,
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => createContext(req, requestId),
    });
    await writeGraphQLResponse(res, response);
  };

  /** A `def.routes` endpoint: POST only, body bounded like /graphql, handed over raw. */
  const handleRoute = async (req: IncomingMessage, res: ServerResponse, handler: RouteHandler): Promise<void> => {
    res.setHeader('x-request-id', requestIdOf(req));
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { error: 'Method not allowed' });
    }
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLarge) return sendJson(res, error.status, { error: error.message, code: error.code }, { connection: 'close' });
      throw error;
    }
    await handler(req, res, rawBody);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, { path, search }: RequestTarget): Promise<void> | void => {
    const route = routes.get(path);
    if (route) return handleRoute(req, res, route);
    if (path === '/graphql') return handleGraphQL(req, res, search);
    // Internal: subgraphs are not public, and the router never proxies this path.
    if (path === '/metrics') return serveMetrics(req, res);
    sendJson(res, 404, { error: 'Not found' });
  };

  const http = createHttpServer({ handle, logger, ready: def.ready, shutdownDelayMs, drainTimeoutMs });
  // A Subscription type: graphql-ws on the same /graphql path (WebSocket upgrade), same schema and shield.
  const subscriptions = schema.getSubscriptionType()
    ? serveSubscriptions({ server: http.server, schema, def, logger, production, maxPayloadBytes: maxBodyBytes })
    : undefined;
  const port = await http.listen(options.port ?? 0, options.host ?? process.env.HOST ?? '0.0.0.0');
  const url = `http://127.0.0.1:${port}/graphql`;
  logger.info({ port, url }, `${def.name} subgraph listening`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ inFlight: http.inFlight }, `${def.name} subgraph shutting down`);
      // WebSockets first: the HTTP server's close waits for upgraded sockets too.
      await http.stop({ beforeClose: async () => subscriptions?.close() });
      await apollo.stop();
      await def.stop?.();
      await def.metrics?.close();
      logger.info(`${def.name} subgraph stopped`);
    })());

  return { name: def.name, port, url, stop };
}

export interface Stoppable {
  name?: string;
  stop(): Promise<void>;
}

export interface SignalHandlerOptions {
  logger?: Logger;
  /** Hard exit if draining takes longer. Default 25 s (Kubernetes gives 30 s). */
  timeoutMs?: number;
  /** Injected by tests; defaults to process.exit. */
  exit?: (code: number) => void;
  /**
   * A second signal within this long of the first is the same interrupt
   * delivered twice and is ignored (default 1 s). Ctrl-C on `npm start`
   * reaches the process both from the terminal (the whole process group) and
   * relayed by npm/tsx; a person's second Ctrl-C comes later and forces exit.
   */
  duplicateWindowMs?: number;
}

/**
 * SIGTERM/SIGINT: stop every server (drain), flush telemetry, exit. A second
 * signal exits at once, unless it comes within `duplicateWindowMs` of the
 * first (the same Ctrl-C, delivered twice). Returns a function that removes
 * the handlers.
 */
export function installSignalHandlers(running: Stoppable | readonly Stoppable[], options: SignalHandlerOptions = {}): () => void {
  const targets = Array.isArray(running) ? [...(running as readonly Stoppable[])] : [running as Stoppable];
  const logger = options.logger ?? createLogger({ service: targets.map((t) => t.name ?? 'service').join(',') });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 25_000;
  const duplicateWindowMs = options.duplicateWindowMs ?? 1_000;
  let firstSignalAt: number | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      if (performance.now() - firstSignalAt < duplicateWindowMs) {
        logger.debug({ signal }, 'same signal delivered twice; still draining');
        return;
      }
      logger.warn({ signal }, 'second signal, exiting now');
      exit(1);
      return;
    }
    firstSignalAt = performance.now();
    logger.info({ signal }, 'signal received, draining');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      exit(1);
    }, timeoutMs);
    timer.unref();
    void Promise.allSettled(targets.map((target) => target.stop()))
      .then(async (results) => {
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        for (const failure of failed) logger.error({ err: failure.reason }, 'error while stopping');
        await shutdownTelemetry().catch((error: unknown) => logger.warn({ err: error }, 'telemetry shutdown failed'));
        clearTimeout(timer);
        exit(failed.length > 0 ? 1 : 0);
      });
  };

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
