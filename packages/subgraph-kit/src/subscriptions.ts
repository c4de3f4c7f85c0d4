/**
 * GraphQL subscriptions for a subgraph: graphql-ws on the same /graphql path
 * as HTTP, for subgraphs whose schema has a Subscription type.
 *
 * The router keeps ONE WebSocket per subgraph and multiplexes every client's
 * subscriptions over it, so identity is per operation, not per connection:
 * each subscribe message carries the subscriber's token in
 * `extensions.authorization` (falling back to the connection_init payload for
 * direct clients), and it is verified here again, like an HTTP request's
 * Authorization header. The same schema serves both transports, so shield
 * applies. Nothing an operation does may close the shared connection: every
 * failure becomes a GraphQL error on that operation alone.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { identityFromAuthorization, type Identity } from '@commerce/auth';
import { AppError, ErrorCode, maskError } from '@commerce/errors';
import { currentTraceContext, hasActiveSpan, traceLogFields, type Logger } from '@commerce/observability';
import { MAX_DOCUMENT_TOKENS } from './document-limits.js';
import type { BaseContext, FieldResolver, SubgraphDefinition } from './types.js';

export interface SubscriptionServerOptions<TContext extends BaseContext> {
  server: Server;
  schema: GraphQLSchema;
  def: SubgraphDefinition<TContext>;
  logger: Logger;
  production: boolean;
  /** Largest accepted WebSocket message, like the HTTP body limit. */
  maxPayloadBytes: number;
  /** WebSocket ping interval; a peer that misses a pong for as long is dropped. Default 12 s. */
  keepAliveMs?: number;
}

export interface SubgraphSubscriptions {
  /** Open WebSocket connections. */
  readonly connections: number;
  /**
   * Refuses new upgrades, closes every socket with 1001 (the router
   * reconnects, to another instance when there is one), and cuts sockets
   * that have not closed within `graceMs`.
   */
  close(graceMs?: number): Promise<void>;
}

const REQUEST_ID_RE = /^[\w.:-]{1,128}$/;

/** What onSubscribe learned about an operation; reused to build a fresh context per event. */
interface Session {
  base: BaseContext;
  /** ms since the epoch; the stream ends with TOKEN_EXPIRED then. */
  expiresAt: number | undefined;
}

const stringField = (source: unknown, name: string): string | undefined => {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const tokenExpired = (): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, 'The access token has expired.', { details: { reason: 'TOKEN_EXPIRED' } });

/**
 * A source stream mapped through `map`, ending with TOKEN_EXPIRED at
 * `expiresAt`. A hand-written iterator, not an async generator: `return()`
 * must end a `next()` that is still waiting for an event (a generator queues
 * it behind that next, so an idle subscription could never be cancelled).
 */
function mapEvents<T>(
  source: AsyncIterator<unknown>,
  map: (event: unknown) => Promise<T>,
  expiresAt: number | undefined,
): AsyncIterableIterator<T> {
  let done = false;
  let stop: (() => void) | undefined;
  const stopped = new Promise<IteratorResult<unknown>>((resolve) => {
    stop = () => resolve({ value: undefined, done: true });
  });
  let expiryTimer: NodeJS.Timeout | undefined;
  const expired =
    expiresAt === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          // Past the 32-bit limit setTimeout fires at once; such tokens do not exist here, clamp anyway.
          expiryTimer = setTimeout(() => reject(tokenExpired()), Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1));
        });
  // The stream may end before the token does; an unobserved rejection must not crash the process.
  expired?.catch(() => {});

  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      clearTimeout(expiryTimer);
      stop?.();
      await source.return?.();
    }
    return { value: undefined, done: true };
  };

  // graphql-ws calls `return()` on completion when the iterator has one (it need not be a real generator).
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (done) return { value: undefined, done: true };
      let step: IteratorResult<unknown>;
      try {
        step = await Promise.race(expired ? [source.next(), stopped, expired] : [source.next(), stopped]);
      } catch (error) {
        await finish();
        throw error;
      }
      if (done || step.done) return finish();
      return { value: await map(step.value), done: false };
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * Resolver for a Subscription field whose events come from `source` (e.g.
 * `subscribeLive(liveChannel.cart(args.cartId))`): each event becomes the
 * field's value. Use it instead of writing `{ subscribe, resolve }`: with no
 * `resolve`, the field's shield rule guards `subscribe`, so it runs once when
 * the subscription starts (a denied subscriber gets FORBIDDEN and nothing
 * else) rather than on every event. To end a stream with an error (the cart
 * left the owner's reach), throw it from the source; the subscriber receives
 * it and the subscription completes.
 */
export function subscriptionField<TContext extends BaseContext, TArgs = Record<string, unknown>, TPayload = unknown>(
  source: {
    source(parent: unknown, args: TArgs, context: TContext, info: GraphQLResolveInfo): AsyncIterable<TPayload> | Promise<AsyncIterable<TPayload>>;
  }['source'],
): { subscribe: FieldResolver<TContext> } {
  return {
    async subscribe(parent, args, context, info) {
      const events = (await source(parent, args as TArgs, context, info))[Symbol.asyncIterator]();
      // The default resolver reads `event[fieldName]`: wrap each event under the field's name.
      return mapEvents(events, async (event) => ({ [info.fieldName]: event }), undefined);
    },
  };
}

const parseFailed = (error: unknown): GraphQLError =>
  new GraphQLError(error instanceof GraphQLError ? error.message : 'The query could not be parsed.', {
    extensions: { code: 'GRAPHQL_PARSE_FAILED' },
  });

const internalError = (): GraphQLError =>
  new GraphQLError('Something went wrong on our side. Please try again.', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });

/** Starts serving graphql-ws on `server`'s /graphql upgrades. */
export function serveSubscriptions<TContext extends BaseContext>(options: SubscriptionServerOptions<TContext>): SubgraphSubscriptions {
  const { server, schema, def, logger, production } = options;
  const validationRules = production ? [...specifiedRules, NoSchemaIntrospectionCustomRule] : specifiedRules;
  const sessions = new WeakMap<object, Session>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  let closing = false;

  const mask = (error: GraphQLError): GraphQLFormattedError =>
    maskError(error.toJSON(), error, {
      onInternalError: (original) => logger.error({ err: original, path: error.path }, 'internal error hidden from client'),
    });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path !== '/graphql' || closing) {
      socket.end(closing ? 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  /** Identity and request context of one subscribe message, or the errors to answer it with. */
  const prepare = async (
    extra: Extra,
    connectionParams: Readonly<Record<string, unknown>> | undefined,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    const extensions = payload.extensions;
    const authorization =
      stringField(extensions, 'authorization') ?? stringField(connectionParams, 'authorization') ?? stringField(connectionParams, 'Authorization');
    let identity: Identity | null;
    try {
      identity = await identityFromAuthorization(authorization);
    } catch (error) {
      return [error instanceof GraphQLError ? error : new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is invalid.')];
    }

    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: MAX_DOCUMENT_TOKENS });
    } catch (error) {
      return [parseFailed(error)];
    }
    const errors = validate(schema, document, validationRules);
    if (errors.length > 0) {
      return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    }

    const incomingId = stringField(extensions, 'requestId') ?? stringField(extra.request.headers, 'x-request-id');
    const requestId = incomingId && REQUEST_ID_RE.test(incomingId) ? incomingId : randomUUID();
    // Per operation first (the router sends the subscriber's), then the upgrade request's headers.
    const traceHeaders = {
      traceparent: stringField(extensions, 'traceparent') ?? stringField(extra.request.headers, 'traceparent'),
      tracestate: stringField(extensions, 'tracestate') ?? stringField(extra.request.headers, 'tracestate'),
    };
    const operationLogger = logger.child(hasActiveSpan() ? { requestId } : { requestId, ...traceLogFields(traceHeaders) });
    const base: BaseContext = {
      identity,
      requestId,
      logger: operationLogger,
      traceContext: currentTraceContext(traceHeaders),
      ...(identity && authorization ? { authorization } : {}),
    };
    const contextValue = await def.createContext(base);
    sessions.set(contextValue, { base, expiresAt: identity ? identity.expiresAt * 1000 : undefined });
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  };

  /**
   * graphql-js's subscribe runs every event with the context made at
   * subscribe time; a long-lived subscription would then read DataLoaders
   * cached since it began. Each event gets a fresh context from the same
   * identity instead.
   */
  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    try {
      const source = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in source)) return source;
      const session = sessions.get(args.contextValue as object);
      return mapEvents(
        source[Symbol.asyncIterator](),
        async (event) => {
          const contextValue = session ? await def.createContext({ ...session.base }) : args.contextValue;
          return execute({ ...args, rootValue: event, contextValue });
        },
        session?.expiresAt,
      );
    } catch (error) {
      logger.error({ err: error }, 'subscription failed to start');
      return { errors: [internalError()] };
    }
  };

  const keepAliveMs = options.keepAliveMs ?? 12_000;
  useServer<Record<string, unknown>>(
    {
      schema,
      isProd: production,
      subscribe,
      async onSubscribe(ctx, _id, payload) {
        try {
          return await prepare(ctx.extra, ctx.connectionParams, payload);
        } catch (error) {
          // Thrown here, graphql-ws would close the socket: the router's connection, shared by every subscriber.
          logger.error({ err: error }, 'could not prepare a subscription');
          return [internalError()];
        }
      },
      onNext(_ctx, _id, _payload, _args, result): FormattedExecutionResult | undefined {
        if (!result.errors) return undefined;
        return { ...result, errors: result.errors.map(mask) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map(mask);
      },
    },
    wss,
    keepAliveMs,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    async close(graceMs = 1_000) {
      closing = true;
      const open = [...wss.clients];
      const allClosed = Promise.all(open.map((ws: WebSocket) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))));
      for (const ws of open) ws.close(1001, 'Going away');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
      server.off('upgrade', onUpgrade);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
