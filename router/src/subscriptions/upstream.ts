/**
 * The router's graphql-ws connections to subgraphs: one per subgraph URL,
 * opened on the first subscription (lazy), shared by every subscriber, kept
 * a while after the last one ends, and re-opened with backoff when it drops.
 * On reconnect graphql-ws re-sends every active subscribe message, so
 * subscriptions resume by themselves.
 *
 * Bounded outage: a subscription whose subgraph connection stays down (or
 * never comes up) for `maxOutageMs` fails, and the caller turns that into
 * SERVICE_UNAVAILABLE. graphql-ws's own retry budget alone would not bound
 * it: a subgraph that accepts connections and then drops them resets it.
 *
 * Identity travels per operation (`extensions.authorization`), never on the
 * connection: the connection belongs to the router, not to a user.
 */
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { Logger } from '@commerce/observability';

export interface UpstreamOptions {
  /** A subscription whose subgraph connection is down this long ends with SERVICE_UNAVAILABLE. */
  maxOutageMs: number;
  /** Backoff between reconnect attempts: 250 ms doubling, capped here. */
  retryMaxWaitMs: number;
  /** graphql-ws ping interval; no pong within as long and the connection is dropped (and retried). */
  keepAliveMs: number;
  /** Longest wait for the WebSocket handshake and for connection_ack. */
  connectTimeoutMs: number;
  /** Keep an idle connection this long after its last subscription ends. */
  lazyCloseTimeoutMs: number;
}

export function upstreamOptionsFrom(read: (name: string, fallback: number) => number): UpstreamOptions {
  return {
    maxOutageMs: read('ROUTER_SUBGRAPH_WS_MAX_OUTAGE_MS', 10_000),
    retryMaxWaitMs: read('ROUTER_SUBGRAPH_WS_RETRY_MAX_WAIT_MS', 2_000),
    keepAliveMs: read('ROUTER_SUBGRAPH_WS_KEEPALIVE_MS', 10_000),
    connectTimeoutMs: read('ROUTER_SUBGRAPH_WS_CONNECT_TIMEOUT_MS', 3_000),
    lazyCloseTimeoutMs: read('ROUTER_SUBGRAPH_WS_IDLE_MS', 30_000),
  };
}

/** Why an upstream subscription ended without `complete`. */
export type UpstreamFailure =
  /** The subgraph answered the operation with errors (forbidden, invalid token, its source threw). */
  | { kind: 'errors'; errors: readonly GraphQLFormattedError[] }
  /** The subgraph could not be reached, or the connection dropped and did not come back in time. */
  | { kind: 'unavailable'; cause: unknown };

export interface UpstreamSink {
  next(result: FormattedExecutionResult): void;
  error(failure: UpstreamFailure): void;
  complete(): void;
}

const isFormattedErrors = (value: unknown): value is GraphQLFormattedError[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'object' && item !== null && 'message' in item);

export const toWebSocketUrl = (url: string): string => url.replace(/^http(s?):/, 'ws$1:');

/** One active upstream subscription. */
interface Operation {
  sink: UpstreamSink;
  dispose(): void;
  /** Settled: nothing more reaches the sink (the outage deadline may settle it before graphql-ws does). */
  settled: boolean;
}

/** One subgraph connection and the operations on it. */
class Upstream {
  readonly operations = new Set<Operation>();
  connected = false;
  private outageTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  readonly client: Client;

  constructor(
    readonly url: string,
    private readonly options: UpstreamOptions,
    socketClass: unknown,
    private readonly logger: Logger,
    private readonly counter: { open: number },
  ) {
    const { retryMaxWaitMs, keepAliveMs, connectTimeoutMs, lazyCloseTimeoutMs } = options;
    this.client = createClient({
      url,
      webSocketImpl: socketClass,
      lazy: true,
      lazyCloseTimeout: lazyCloseTimeoutMs,
      keepAlive: keepAliveMs,
      connectionAckWaitTimeout: connectTimeoutMs,
      // The outage deadline decides when to give up, not an attempt count.
      retryAttempts: Number.MAX_SAFE_INTEGER,
      // graphql-ws retries only close events by default; a refused connection (subgraph restarting) is an error event.
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, retryMaxWaitMs))),
      on: {
        connected: () => {
          this.connected = true;
          this.counter.open++;
          clearTimeout(this.outageTimer);
          this.outageTimer = undefined;
          this.logger.info({ url }, 'subgraph subscription connection open');
        },
        closed: (event) => {
          clearTimeout(this.pongTimer);
          if (this.connected) this.counter.open--;
          this.connected = false;
          const code = typeof event === 'object' && event !== null && 'code' in event ? event.code : undefined;
          this.logger.info({ url, code }, 'subgraph subscription connection closed');
          this.watchOutage();
        },
        // graphql-ws sends pings but never notices missing pongs: a silently dead link would hang every
        // subscription on it. No pong in time → terminate, which graphql-ws treats as a retryable close.
        ping: (received) => {
          if (received) return;
          clearTimeout(this.pongTimer);
          this.pongTimer = setTimeout(() => {
            this.logger.warn({ url }, 'subgraph missed a pong; reconnecting');
            this.client.terminate();
          }, keepAliveMs);
        },
        pong: (received) => {
          if (received) clearTimeout(this.pongTimer);
        },
      },
    });
  }

  subscribe(payload: SubscribePayload, sink: UpstreamSink): () => void {
    const operation: Operation = { sink, dispose: () => {}, settled: false };
    const settle = (): boolean => {
      if (operation.settled) return false;
      operation.settled = true;
      this.operations.delete(operation);
      if (this.operations.size === 0) this.stopWatchingOutage();
      return true;
    };
    this.operations.add(operation);
    operation.dispose = this.client.subscribe(payload, {
      next: (value: FormattedExecutionResult) => {
        if (!operation.settled) sink.next(value);
      },
      error: (error: unknown) => {
        if (!settle()) return;
        if (isFormattedErrors(error)) sink.error({ kind: 'errors', errors: error });
        else sink.error({ kind: 'unavailable', cause: error });
      },
      complete: () => {
        if (settle()) sink.complete();
      },
    });
    // Waiting for a connection counts as an outage too (first connect, or during a reconnect).
    this.watchOutage();
    return () => {
      if (settle()) operation.dispose();
    };
  }

  private watchOutage(): void {
    if (this.connected || this.outageTimer || this.operations.size === 0) return;
    this.outageTimer = setTimeout(() => {
      this.outageTimer = undefined;
      if (this.connected) return;
      this.logger.warn({ url: this.url, operations: this.operations.size }, 'subgraph unreachable; failing its subscriptions');
      for (const operation of [...this.operations]) {
        operation.settled = true;
        this.operations.delete(operation);
        operation.dispose();
        operation.sink.error({ kind: 'unavailable', cause: new Error(`no connection to ${this.url} for ${this.options.maxOutageMs} ms`) });
      }
    }, this.options.maxOutageMs);
  }

  private stopWatchingOutage(): void {
    clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
  }

  close(): void {
    this.stopWatchingOutage();
    clearTimeout(this.pongTimer);
    // dispose() waits for a connection attempt in flight and rejects if it fails; shutdown need not wait for either.
    Promise.resolve(this.client.dispose()).catch(() => {});
  }
}

export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly counter = { open: 0 };
  /** graphql-ws takes any WebSocket-like class (its option is typed `unknown`). */
  private readonly socketClass: unknown;

  constructor(
    private readonly options: UpstreamOptions,
    private readonly logger: Logger,
  ) {
    const handshakeTimeout = options.connectTimeoutMs;
    // graphql-ws constructs sockets itself with (url, protocol); a subclass adds ws's own options.
    this.socketClass = class UpstreamSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { handshakeTimeout, perMessageDeflate: false });
        // graphql-ws drops its `onerror` when it terminates a socket; a later error (e.g. a handshake
        // timing out) would then be an uncaught exception. graphql-ws still sees errors while it listens.
        this.on('error', () => {});
      }
    };
  }

  /** Open subgraph connections. */
  get connections(): number {
    return this.counter.open;
  }

  /** Starts `payload` on the subgraph at `httpUrl`; returns a function that stops it. */
  subscribe(httpUrl: string, payload: SubscribePayload, sink: UpstreamSink): () => void {
    const url = toWebSocketUrl(httpUrl);
    let upstream = this.upstreams.get(url);
    if (!upstream) {
      upstream = new Upstream(url, this.options, this.socketClass, this.logger, this.counter);
      this.upstreams.set(url, upstream);
    }
    return upstream.subscribe(payload, sink);
  }

  close(): void {
    for (const upstream of this.upstreams.values()) upstream.close();
    this.upstreams.clear();
  }
}
