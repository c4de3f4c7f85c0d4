/**
 * Federated subscriptions at the router: graphql-ws on the router's own
 * /graphql URL (HTTP upgrade; queries and mutations keep using HTTP).
 *
 * Per client subscription:
 *  1. the operation is validated against the API schema (same limits as
 *     HTTP), costed like an HTTP operation (its selection, per event: over
 *     ROUTER_MAX_COST it is refused with QUERY_TOO_COMPLEX before it starts;
 *     each event reports `extensions.cost` when costs are reported), and
 *     planned by the gateway's query planner: `primary` is the
 *     fetch of the subgraph owning the root field, `rest` the other
 *     subgraphs' share of each event (cached per document);
 *  2. `primary` is sent over graphql-ws to its subgraph, multiplexed on one
 *     connection per subgraph, with the subscriber's token and trace context
 *     in the subscribe message's `extensions` (the subgraph verifies again);
 *  3. each event runs through `executeQueryPlan` as `Sequence[primary, rest]`
 *     where `primary`'s service answers with the event instead of being
 *     called, so the client gets a correctly shaped result with every other
 *     subgraph's fields resolved by the router's normal data sources.
 *
 * How a subscription ends, always with `complete` after a final `next`
 * carrying `errors` when something went wrong (the protocol's `error`
 * message is kept for operations refused before they start):
 *  - the subgraph completes the stream → complete;
 *  - the subgraph ends it with errors (FORBIDDEN: the cart left the owner's
 *    reach) → those errors, complete;
 *  - the connection token expires → UNAUTHENTICATED / TOKEN_EXPIRED, complete;
 *  - the subgraph connection drops → graphql-ws reconnects with backoff and
 *    re-subscribes (the subscription resumes; events published meanwhile are
 *    lost); when no connection comes back within the outage budget (10 s by
 *    default) → SERVICE_UNAVAILABLE, complete. It never hangs: a silent link
 *    is caught by ping/pong on both legs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import { getVariableValues, GraphQLError, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Identity } from '@commerce/auth';
import { readIntEnv } from '@commerce/config';
import { ErrorCode } from '@commerce/errors';
import { currentTraceContext, type Logger } from '@commerce/observability';
import type { TokenCache } from '../auth.ts';
import type { RouterContext } from '../context.ts';
import { actualCost } from '../cost.ts';
import type { CostGuard } from '../cost-plugin.ts';
import type { Safelist } from '../safelist.ts';
import type { ErrorFormatter } from '../errors.ts';
import type { PreparedSingle, PreparedSubscription, SubscriptionPlanner } from './planner.ts';
import { UpstreamPool, upstreamOptionsFrom, type UpstreamFailure, type UpstreamOptions } from './upstream.ts';

export interface SubscriptionOptions {
  /** WebSocket connections per router; one more is closed with 1013 "RATE_LIMITED: ...". */
  maxConnections: number;
  /** Operations in flight per connection; one more is refused with RATE_LIMITED (reason TOO_MANY_SUBSCRIPTIONS). */
  maxSubscriptionsPerConnection: number;
  /** Events waiting for a slow client; beyond it the subscription ends with RATE_LIMITED (reason SLOW_CONSUMER). */
  maxQueuedEvents: number;
  /** WebSocket ping to clients; a client that misses a pong for as long is dropped. */
  keepAliveMs: number;
  /** A client must send connection_init within this time. */
  connectionInitTimeoutMs: number;
  /** Router → subgraph connections. */
  upstream: UpstreamOptions;
}

export function subscriptionOptionsFromEnv(): SubscriptionOptions {
  return {
    maxConnections: readIntEnv('ROUTER_WS_MAX_CONNECTIONS', 10_000),
    maxSubscriptionsPerConnection: readIntEnv('ROUTER_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100),
    maxQueuedEvents: readIntEnv('ROUTER_WS_MAX_QUEUED_EVENTS', 100),
    keepAliveMs: readIntEnv('ROUTER_WS_KEEPALIVE_MS', 12_000),
    connectionInitTimeoutMs: readIntEnv('ROUTER_WS_INIT_TIMEOUT_MS', 3_000),
    upstream: upstreamOptionsFrom(readIntEnv),
  };
}

export interface SubscriptionStats {
  /** Client WebSocket connections. */
  connections: number;
  /** Client subscriptions being served. */
  subscriptions: number;
  /** Open router → subgraph connections. */
  subgraphConnections: number;
}

export interface SubscriptionServer {
  /** The HTTP server's 'upgrade' listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): SubscriptionStats;
  /** Closes every client with 1001 (they reconnect, to another instance), then the subgraph connections. */
  close(graceMs?: number): Promise<void>;
}

export interface SubscriptionServerDeps {
  options: SubscriptionOptions;
  planner: SubscriptionPlanner;
  tokens: TokenCache;
  /** The gateway's data sources by subgraph name (URL and header forwarding included). */
  dataSources: ReadonlyMap<string, GraphQLDataSource & { url?: string }>;
  /** Runs a query or mutation that arrived over the WebSocket (Apollo Server, like HTTP). */
  executeSingle(request: SubscribePayload, context: RouterContext): Promise<FormattedExecutionResult>;
  formatError: ErrorFormatter;
  logger: Logger;
  production: boolean;
  /** Only known operations (safelist.ts); absent: every operation is planned. */
  safelist?: Pick<Safelist, 'check'>;
  /** The cost, its maximum and the budgets (cost-plugin.ts), as over HTTP; absent: subscriptions are not costed. */
  cost?: CostGuard;
  /** The client's address for its budget, from the upgrade request (protection.ts); absent: no address budget. */
  clientAddress?(request: IncomingMessage): string;
}

/** Per client connection, from connection_init on. */
interface Connection {
  identity: Identity | null;
  authorization: string | undefined;
  expired: boolean;
  expiryTimer: NodeJS.Timeout | undefined;
  operations: Set<LiveSubscription>;
  headers: IncomingHttpHeaders;
  params: Readonly<Record<string, unknown>>;
  /** For the address budget ('' for none). */
  clientAddress: string;
}

/** What onSubscribe hands to graphql-ws's execute/subscribe step, as the "context value". */
class PendingOperation {
  constructor(
    readonly id: string,
    readonly payload: SubscribePayload,
    readonly prepared: PreparedSubscription | PreparedSingle,
    readonly connection: Connection,
    readonly context: RouterContext,
    /** Requested cost of each event, when costed. */
    readonly requestedCost: number | undefined,
  ) {}
}

const error = (code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  new GraphQLError(message, { extensions: { code, ...extensions } });
const tokenExpired = (): GraphQLError =>
  error(ErrorCode.UNAUTHENTICATED, 'The access token has expired.', { reason: 'TOKEN_EXPIRED' });
const unavailable = (): GraphQLError =>
  error(ErrorCode.SERVICE_UNAVAILABLE, 'A service needed for this subscription is unavailable. Please subscribe again.');
const internal = (): GraphQLError => error(ErrorCode.INTERNAL_SERVER_ERROR, 'Something went wrong on our side. Please try again.');

const stringField = (source: unknown, name: string): string | undefined => {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** A subgraph's formatted error, back into a GraphQLError that keeps its message, path and code. */
const fromFormatted = (formatted: GraphQLFormattedError): GraphQLError =>
  new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions ?? {} });

/**
 * One client subscription as the async iterator graphql-ws drains. Events
 * are resolved one at a time, in order. Written by hand, not as an async
 * generator, so that `return()` (client sent complete, or disconnected) ends
 * a `next()` that is still waiting for the next event.
 */
class LiveSubscription implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  /** No more results will be queued. */
  private finished = false;
  private pending: Promise<void> = Promise.resolve();
  private stopUpstream: (() => void) | undefined;

  constructor(
    private readonly resolveEvent: (event: FormattedExecutionResult) => Promise<ExecutionResult>,
    private readonly maxQueued: number,
    private readonly onEnd: (subscription: LiveSubscription) => void,
  ) {}

  attach(stop: () => void): void {
    if (this.finished) stop();
    else this.stopUpstream = stop;
  }

  /** An event from the subgraph: resolved after the ones before it. */
  event(payload: FormattedExecutionResult): void {
    this.pending = this.pending.then(async () => {
      if (this.finished) return;
      const result = await this.resolveEvent(payload);
      if (!this.finished) this.push(result);
    });
  }

  /** Ends once the events received so far are delivered (the subgraph completed or failed). */
  endAfterPending(final?: ExecutionResult): void {
    this.pending = this.pending.then(() => this.end(final));
  }

  /** Ends now, with an optional last result (token expired, slow consumer). */
  end(final?: ExecutionResult): void {
    if (this.finished) return;
    this.finished = true;
    if (final) {
      if (this.waiting) this.settle({ value: final, done: false });
      else this.queue.push(final);
    }
    this.release();
    if (this.queue.length === 0) this.settle({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.finished = true;
    this.queue.length = 0;
    this.release();
    this.settle({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  private push(result: ExecutionResult): void {
    if (this.waiting) {
      this.settle({ value: result, done: false });
      return;
    }
    this.queue.push(result);
    if (this.queue.length > this.maxQueued) {
      // The client reads slower than events arrive; unbounded buffering would let one client exhaust memory.
      this.queue.length = 0;
      this.end({
        errors: [error(ErrorCode.RATE_LIMITED, 'Events arrived faster than this client read them; subscribe again.', { reason: 'SLOW_CONSUMER' })],
      });
    }
  }

  private settle(result: IteratorResult<ExecutionResult>): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(result);
  }

  private release(): void {
    const stop = this.stopUpstream;
    this.stopUpstream = undefined;
    stop?.();
    this.onEnd(this);
  }
}

export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { options, planner, tokens, logger, formatError } = deps;
  const upstream = new UpstreamPool(options.upstream, logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  // Over-limit sockets are accepted only to be told why they are closed; they must not count as clients.
  const rejector = new WebSocketServer({ noServer: true, clientTracking: false });
  const connections = new WeakMap<WebSocket, Connection>();
  /** Results whose errors were already formatted (Apollo Server ran the operation). */
  const preformatted = new WeakSet<object>();
  let subscriptions = 0;
  let closing = false;

  const format = (graphQLError: GraphQLError): GraphQLFormattedError => formatError(graphQLError.toJSON(), graphQLError);

  const endConnection = (connection: Connection): void => {
    clearTimeout(connection.expiryTimer);
    for (const subscription of connection.operations) subscription.return();
  };

  /** The per-event executor of one prepared subscription; `requestedCost` is reported on each event when costs are reported. */
  const eventResolver = (prepared: PreparedSubscription, context: RouterContext, variables: Record<string, unknown>, requestedCost: number | undefined) => {
    const reportCost = requestedCost !== undefined && deps.cost?.limits.report === true;
    const plan: QueryPlan = {
      kind: 'QueryPlan',
      node: prepared.rest ? { kind: 'Sequence', nodes: [prepared.primary, prepared.rest] } : prepared.primary,
    };
    type RequestContext = Parameters<typeof executeQueryPlan>[2];
    // executeQueryPlan reads request.variables, context, logger and metrics; the rest is there for the type.
    const requestContext: Omit<RequestContext, 'metrics'> = {
      request: { query: prepared.primary.operation, variables, operationName: prepared.operationName },
      logger,
      schema: prepared.schema,
      schemaHash: '' as RequestContext['schemaHash'],
      context,
      cache: { get: async () => undefined, set: async () => {}, delete: async () => true },
      queryHash: '',
      document: prepared.document,
      source: '',
      operationName: prepared.operationName ?? null,
      operation: prepared.operationContext.operation,
      overallCachePolicy: undefined,
    };
    const primaryService = prepared.primary.serviceName;

    return async (event: FormattedExecutionResult): Promise<ExecutionResult> => {
      if (event.data === null || event.data === undefined) {
        return { data: null, errors: (event.errors ?? [{ message: 'The subgraph sent an empty event.' }]).map(fromFormatted) };
      }
      const serviceMap: Record<string, GraphQLDataSource> = Object.fromEntries(deps.dataSources);
      // The owning subgraph already answered: the event *is* its response to `primary`.
      serviceMap[primaryService] = { process: async () => ({ data: event.data, errors: event.errors }) };
      try {
        const result = await executeQueryPlan(
          plan,
          serviceMap,
          { ...requestContext, metrics: {} },
          prepared.operationContext,
          prepared.supergraphSchema,
          prepared.apiSchema,
        );
        if (!reportCost) return result;
        return { ...result, extensions: { ...result.extensions, cost: { requestedQueryCost: requestedCost, actualQueryCost: actualCost(result.data, 0, 0) } } };
      } catch (cause) {
        logger.error({ err: cause, requestId: context.requestId }, 'subscription event could not be resolved');
        return { data: null, errors: [internal()] };
      }
    };
  };

  const startSubscription = (operation: PendingOperation): AsyncIterableIterator<ExecutionResult> | ExecutionResult => {
    const { prepared, connection, context, payload, requestedCost } = operation;
    if (prepared.kind !== 'subscription') return { errors: [internal()] };
    const dataSource = deps.dataSources.get(prepared.primary.serviceName);
    if (!dataSource?.url) return { errors: [unavailable()] };

    const variables = payload.variables ?? {};
    const subscription = new LiveSubscription(eventResolver(prepared, context, variables, requestedCost), options.maxQueuedEvents, (ended) => {
      if (connection.operations.delete(ended)) subscriptions--;
    });
    connection.operations.add(subscription);
    subscriptions++;

    const upstreamVariables: Record<string, unknown> = {};
    for (const name of prepared.primary.variableUsages ?? []) {
      if (name in variables) upstreamVariables[name] = variables[name];
    }
    const trace = currentTraceContext(context.incomingHeaders);
    const extensions: Record<string, unknown> = { requestId: context.requestId, ...trace };
    if (context.authorization) extensions.authorization = context.authorization;

    subscription.attach(
      upstream.subscribe(
        dataSource.url,
        { query: prepared.primary.operation, operationName: prepared.primary.operationName, variables: upstreamVariables, extensions },
        {
          next: (event) => subscription.event(event),
          complete: () => subscription.endAfterPending(),
          error: (failure: UpstreamFailure) => {
            if (failure.kind === 'errors') {
              subscription.endAfterPending({ data: null, errors: failure.errors.map(fromFormatted) });
              return;
            }
            logger.warn({ err: failure.cause, service: prepared.primary.serviceName, requestId: context.requestId }, 'subgraph subscription connection lost');
            subscription.endAfterPending({ data: null, errors: [unavailable()] });
          },
        },
      ),
    );
    return subscription;
  };

  const keepAliveMs = options.keepAliveMs;
  useServer<Record<string, unknown>>(
    {
      isProd: deps.production,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const params = ctx.connectionParams ?? {};
        // Browsers cannot set headers on a WebSocket, so the token comes in connection_init; other clients may use the header.
        const authorization = stringField(params, 'authorization') ?? stringField(params, 'Authorization') ?? request.headers.authorization;
        let identity: Identity | null;
        try {
          const pending = tokens.identify(authorization);
          identity = pending instanceof Promise ? await pending : pending;
        } catch (cause) {
          const reason = cause instanceof GraphQLError && typeof cause.extensions.reason === 'string' ? cause.extensions.reason : 'TOKEN_INVALID';
          // 4403 rather than graphql-ws's fatal 4401: a client whose connectionParams fetch a fresh token reconnects by itself.
          socket.close(4403, `Forbidden: UNAUTHENTICATED ${reason}`);
          return false;
        }
        const connection: Connection = {
          identity,
          authorization,
          expired: false,
          expiryTimer: undefined,
          operations: new Set(),
          headers: request.headers,
          params,
          clientAddress: deps.clientAddress?.(request) ?? '',
        };
        if (identity) {
          const expire = (): void => {
            connection.expired = true;
            for (const subscription of connection.operations) subscription.end({ data: null, errors: [tokenExpired()] });
          };
          connection.expiryTimer = setTimeout(expire, Math.min(Math.max(0, identity.expiresAt * 1000 - Date.now()), 2 ** 31 - 1));
        }
        connections.set(socket, connection);
        return true;
      },
      onClose(ctx) {
        const connection = connections.get(ctx.extra.socket);
        if (connection) endConnection(connection);
      },
      async onSubscribe(ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [internal()];
        if (connection.expired) return [tokenExpired()];
        // graphql-ws registers the operation before asking us: this count includes it.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            error(ErrorCode.RATE_LIMITED, `At most ${options.maxSubscriptionsPerConnection} subscriptions per connection.`, {
              reason: 'TOO_MANY_SUBSCRIPTIONS',
              max: options.maxSubscriptionsPerConnection,
            }),
          ];
        }
        // Only known operations (safelist.ts), as over HTTP; a persisted id becomes its document here.
        let known = payload;
        if (deps.safelist) {
          const decision = deps.safelist.check('POST', payload, '');
          if (!decision.ok) return [error(decision.code, decision.message)];
          known = decision.body as typeof payload;
        }
        let prepared: ReturnType<SubscriptionPlanner['prepare']>;
        try {
          prepared = planner.prepare(known.query, known.operationName ?? undefined);
        } catch (cause) {
          logger.error({ err: cause }, 'subscription could not be planned');
          return [internal()];
        }
        if (Array.isArray(prepared)) return prepared;
        const ready = prepared as PreparedSubscription | PreparedSingle;
        let requestedCost: number | undefined;
        if (ready.kind === 'subscription') {
          // Bad variables are refused here, with an `error` message, rather than by the subgraph once running.
          const coerced = getVariableValues(ready.schema, ready.operationContext.operation.variableDefinitions ?? [], known.variables ?? {});
          if (coerced.errors) {
            return coerced.errors.map((cause) => new GraphQLError(cause.message, { nodes: cause.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
          }
          // Queries and mutations sent here are costed by Apollo Server (executeSingle), as over HTTP.
          if (deps.cost) {
            const { operation } = ready.operationContext;
            requestedCost = deps.cost.requested(ready.schema, ready.document, operation, known.variables ?? undefined);
            const refused = deps.cost.refusal(operation, requestedCost);
            if (refused) return [refused];
            // Starting a subscription spends its cost from the same budgets as an HTTP request (events do not).
            const { refusal } = await deps.cost.spend({ userId: connection.identity?.userId, ip: connection.clientAddress || undefined }, requestedCost);
            if (refusal) return [refusal];
          }
        }

        const incomingId = stringField(known.extensions, 'requestId');
        const requestId = incomingId && /^[\w.:-]{1,128}$/.test(incomingId) ? incomingId : randomUUID();
        // Trace context per operation (extensions), else connection_init's, else the upgrade request's headers.
        const traceHeaders: IncomingHttpHeaders = {};
        for (const name of ['traceparent', 'tracestate'] as const) {
          const value = stringField(known.extensions, name) ?? stringField(connection.params, name) ?? stringField(connection.headers, name);
          if (value) traceHeaders[name] = value;
        }
        const context: RouterContext = {
          identity: connection.identity,
          authorization: connection.authorization,
          requestId,
          incomingHeaders: traceHeaders,
        };
        return {
          schema: ready.schema,
          document: ready.document,
          operationName: known.operationName,
          variableValues: known.variables,
          contextValue: new PendingOperation(id, known, ready, connection, context, requestedCost),
        };
      },
      subscribe(args) {
        const operation = args.contextValue;
        if (!(operation instanceof PendingOperation)) return { errors: [internal()] };
        return startSubscription(operation);
      },
      async execute(args) {
        const operation = args.contextValue;
        if (!(operation instanceof PendingOperation)) return { errors: [internal()] };
        let result: FormattedExecutionResult;
        try {
          result = await deps.executeSingle(operation.payload, operation.context);
        } catch (cause) {
          // Thrown here, graphql-ws would close the client's socket and every subscription on it.
          logger.error({ err: cause, requestId: operation.context.requestId }, 'operation over WebSocket failed');
          return { errors: [internal()] };
        }
        preformatted.add(result);
        // Already formatted by Apollo Server; onNext passes it through untouched.
        return result as ExecutionResult;
      },
      onNext(_ctx, _id, _payload, _args, result): FormattedExecutionResult | undefined {
        if (preformatted.has(result)) return result as FormattedExecutionResult;
        if (!result.errors) return undefined;
        return { ...result, errors: result.errors.map(format) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map(format);
      },
    },
    wss,
    keepAliveMs,
  );

  const refuse = (socket: Duplex, status: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  return {
    handleUpgrade(req, socket, head) {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt === -1 ? url : url.slice(0, queryAt);
      if (path !== '/graphql') return refuse(socket, '404 Not Found');
      if (closing) return refuse(socket, '503 Service Unavailable');
      if (wss.clients.size >= options.maxConnections) {
        // Complete the handshake so the client gets a close code and reason, not an opaque HTTP error.
        rejector.handleUpgrade(req, socket, head, (ws) => ws.close(1013, 'RATE_LIMITED: too many connections, try again later'));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    stats() {
      return { connections: wss.clients.size, subscriptions, subgraphConnections: upstream.connections };
    },
    async close(graceMs = 1_000) {
      closing = true;
      const open = [...wss.clients];
      const allClosed = Promise.all(
        open.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))),
      );
      for (const ws of open) ws.close(1001, 'Going away');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      upstream.close();
    },
  };
}
