/**
 * Serving the registry in Prometheus's text format: a handler for a path on
 * an existing server (subgraphs' `/metrics`), and a server of its own (the
 * router's metrics port, never the public GraphQL port).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './registry.js';

/** GET (or HEAD) answers the registry's text; other methods 405. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('Method not allowed\n');
    return;
  }
  const registry = metricsRegistry();
  try {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : text);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

export interface MetricsServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A server answering `/metrics` only (404 elsewhere), for a port of its own. */
export async function startMetricsServer(options: { port: number; host?: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/metrics') {
      void serveMetrics(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found\n');
  });
  // A scrape every 15 s: keep-alive sockets are fine, but never hold shutdown.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? process.env.HOST ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
