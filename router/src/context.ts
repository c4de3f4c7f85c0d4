import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@commerce/auth';

/** Per-request context of the router; built once in the HTTP handler, read by the subgraph data sources. */
export type RouterContext = {
  /** Verified at the edge; null for an anonymous caller. */
  identity: Identity | null;
  /** The client's Authorization header, forwarded to subgraphs, which verify it again. */
  authorization: string | undefined;
  requestId: string;
  /** Raw incoming headers, for trace context propagation. */
  incomingHeaders: IncomingHttpHeaders;
  /**
   * Filled by the metrics plugin (metrics.ts) for the request's one observation.
   * An object of its own: Apollo Server hands plugins a shallow copy of the context.
   */
  observed?: { operationName?: string | undefined; operationType?: string | undefined; errorCode?: string | undefined };
};
