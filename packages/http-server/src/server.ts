/**
 * The HTTP server every service of ours runs on plain node:http: keep-alive
 * and header timeouts that never race a client's idle socket, /health and
 * /ready, a 500 for whatever a handler throws, and a graceful drain.
 *
 * The service brings its own paths (GraphQL, webhooks) as `handle`; this
 * piece owns the rest, so the router and the subgraphs behave alike.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@commerce/errors';
import type { Logger } from '@commerce/observability';
import { sendGraphQLError, sendJson } from './respond.ts';

// Above the usual 60 s idle timeout of load balancers and client agents, so the
// server never closes a socket the client is just about to reuse (ECONNRESET).
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const READY_CHECK_TIMEOUT_MS = 2_000;

/** Where a request goes: the path, and the query string without its `?`. */
export interface RequestTarget {
  path: string;
  search: string;
}

export interface HttpServerOptions {
  /** Every request but GET/HEAD /health and /ready. Throwing answers 500 without details. */
  handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> | void;
  logger: Logger;
  /** Extra readiness (a database reachable, …); rejecting or taking over 2 s answers 503 not_ready. */
  ready?: () => Promise<void>;
  /** How long `stop()` keeps serving while /ready already answers 503, so a load balancer notices first. Default 0. */
  shutdownDelayMs?: number;
  /** Longest wait for in-flight requests before their connections are cut. Default 10 s. */
  drainTimeoutMs?: number;
}

export interface HttpServer {
  /** The node:http server (attach WebSocket upgrades to it before `listen`). */
  readonly server: Server;
  /** True from the first `stop()` on. */
  readonly shuttingDown: boolean;
  /** Requests whose response is not finished yet. */
  readonly inFlight: number;
  /** Binds and resolves with the port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Not ready at once, then (after the shutdown delay) `beforeClose` (e.g.
   * close WebSockets, which the HTTP close would wait for), no new
   * connections, in-flight requests finish or are cut at the drain timeout.
   * Idempotent.
   */
  stop(hooks?: { beforeClose?: () => Promise<void> }): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function targetOf(url: string | undefined): RequestTarget {
  const raw = url ?? '/';
  const queryAt = raw.indexOf('?');
  return queryAt === -1 ? { path: raw, search: '' } : { path: raw.slice(0, queryAt), search: raw.slice(queryAt + 1) };
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  let shuttingDown = false;
  let inFlight = 0;
  let onDrained: (() => void) | undefined;

  const answerReady = async (res: ServerResponse): Promise<void> => {
    if (shuttingDown) return sendJson(res, 503, { status: 'shutting_down' });
    if (options.ready) {
      try {
        await withTimeout(options.ready(), READY_CHECK_TIMEOUT_MS, 'ready check');
      } catch (error) {
        logger.warn({ err: error }, 'ready check failed');
        return sendJson(res, 503, { status: 'not_ready' });
      }
    }
    // Shutdown may have begun while the check ran.
    sendJson(res, shuttingDown ? 503 : 200, { status: shuttingDown ? 'shutting_down' : 'ready' });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) onDrained?.();
    });
    // While draining, tell keep-alive clients to reconnect (to another instance).
    if (shuttingDown) res.setHeader('connection', 'close');

    const target = targetOf(req.url);
    const probe = req.method === 'GET' || req.method === 'HEAD';
    let work: Promise<void> | void;
    try {
      if (probe && target.path === '/health') work = sendJson(res, 200, { status: 'ok' });
      else if (probe && target.path === '/ready') work = answerReady(res);
      else work = options.handle(req, res, target);
    } catch (error) {
      work = Promise.reject(error);
    }
    work?.catch((error: unknown) => {
      logger.error({ err: error }, 'request failed outside GraphQL execution');
      if (!res.headersSent) sendGraphQLError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Something went wrong on our side. Please try again.');
      else res.destroy();
    });
  };

  const server = createServer({ keepAlive: true, noDelay: true }, onRequest);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Must exceed keepAliveTimeout, or node may cut a reused connection mid-headers.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Malformed HTTP itself is left to node's default clientError handling: 400/408/431, socket closed.

  let stopping: Promise<void> | undefined;
  return {
    server,
    get shuttingDown() {
      return shuttingDown;
    },
    get inFlight() {
      return inFlight;
    },
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    stop: (hooks = {}) =>
      (stopping ??= (async () => {
        shuttingDown = true;
        if (options.shutdownDelayMs) await sleep(options.shutdownDelayMs);
        await hooks.beforeClose?.();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          const drained = new Promise<void>((resolve) => {
            onDrained = resolve;
          });
          await withTimeout(drained, drainTimeoutMs, 'drain').catch(() => {
            logger.warn({ inFlight }, 'drain timed out; closing remaining connections');
          });
        }
        server.closeAllConnections();
        await closed;
      })()),
  };
}
