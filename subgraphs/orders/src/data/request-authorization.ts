/**
 * The raw `Authorization` header of the HTTP request being served.
 *
 * placeOrder must forward the caller's Authorization header to the cart
 * subgraph, but the kit's BaseContext carries only the verified identity, not
 * the header. Until it does, this module remembers the header of each
 * incoming request: node:http publishes `http.server.request.start` on a
 * diagnostics channel synchronously before it emits 'request', and entering
 * an AsyncLocalStorage there makes the header visible to everything the
 * request handler runs, createContext included. Requests never see each
 * other's header (each one enters its own store before its handler runs).
 *
 * Process-wide and idempotent: installed once, on first use.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const store = new AsyncLocalStorage<{ authorization: string | undefined }>();
let installed = false;

function onRequestStart(message: unknown): void {
  const request = (message as { request?: IncomingMessage }).request;
  const header = request?.headers.authorization;
  store.enterWith({ authorization: typeof header === 'string' ? header : undefined });
}

/** Starts remembering request headers; call before the server accepts requests. */
export function installAuthorizationCapture(): void {
  if (installed) return;
  installed = true;
  diagnosticsChannel.subscribe('http.server.request.start', onRequestStart);
}

/** The Authorization header of the request this code runs for; undefined outside a request or when absent. */
export function currentAuthorization(): string | undefined {
  return store.getStore()?.authorization;
}
