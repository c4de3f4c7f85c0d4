/**
 * The router's Prometheus metrics (@commerce/metrics, served on a port of its
 * own: ROUTER_METRICS_PORT, never the public GraphQL port).
 *
 * Kept off the per-field path: one histogram observation per client request
 * (in the HTTP handler, with the operation's name and type noted on the
 * request context by a plugin's static listener), one per subgraph call (in
 * the data source), a counter per rejected request, and gauges read at
 * scrape time (subscriptions, WebSockets).
 *
 * Names (OpenTelemetry semantic conventions where they name the thing):
 * - http_server_request_duration_seconds{service="router", graphql_operation_name, graphql_operation_type, error_type, ...}
 * - http_client_request_duration_seconds{subgraph_name, http_response_status_code, error_type}: subgraph fetches
 * - router_subgraph_errors_total{subgraph_name, error_type}: GraphQL errors in subgraph answers
 * - router_requests_rejected_total{reason}
 * - router_query_planning_duration_seconds, router_query_plan_cache_total{result="hit"|"miss"}
 * - router_subscriptions_open, router_websocket_connections_open, router_subgraph_websocket_connections_open
 */
import { createRequire } from 'node:module';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { QueryPlan } from '@apollo/query-planner';
import { counter, firstErrorCode, gauge, graphqlRequestMetrics, histogram } from '@commerce/metrics';
import type { RouterContext } from './context.ts';
import type { SubscriptionStats } from './subscriptions/server.ts';

/** Reasons a request is refused before it runs; each is an `extensions.code` the router answers with. */
export const REJECTION_REASONS = [
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_NOT_IN_SAFELIST',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
const REJECTIONS: ReadonlySet<string> = new Set(REJECTION_REASONS);

export const requestMetrics = graphqlRequestMetrics('router');

const rejected = counter({
  name: 'router_requests_rejected_total',
  help: 'Requests the router refused before running them, by reason (limits, parse, safelist, authentication, rate).',
  labelNames: ['reason'] as const,
});
for (const reason of REJECTION_REASONS) rejected.inc({ reason }, 0);

/** Counts a refusal when `code` is one of REJECTION_REASONS. */
export function countRejection(code: string | undefined): void {
  if (code !== undefined && REJECTIONS.has(code)) rejected.inc({ reason: code });
}

const subgraphFetch = histogram({
  name: 'http_client_request_duration_seconds',
  help: 'Duration of the router’s HTTP calls to subgraphs (OpenTelemetry http.client.request.duration).',
  labelNames: ['subgraph_name', 'http_response_status_code', 'error_type'] as const,
});
const subgraphErrors = counter({
  name: 'router_subgraph_errors_total',
  help: 'Subgraph calls that failed (network, non-2xx) or answered with GraphQL errors, by subgraph and first error code.',
  labelNames: ['subgraph_name', 'error_type'] as const,
});

/** What a data source reports about each call. */
export interface SubgraphFetchObserver {
  fetched(seconds: number, status: number): void;
  failed(seconds: number, error: unknown): void;
  graphqlErrors(errors: readonly { extensions?: Record<string, unknown> }[]): void;
}

export function subgraphFetchObserver(subgraph: string): SubgraphFetchObserver {
  return {
    fetched(seconds, status) {
      const errorType = status >= 400 ? String(status) : '';
      subgraphFetch.observe({ subgraph_name: subgraph, http_response_status_code: status, error_type: errorType }, seconds);
      if (errorType) subgraphErrors.inc({ subgraph_name: subgraph, error_type: errorType });
    },
    failed(seconds, error) {
      const errorType = error instanceof Error ? (('code' in error && typeof error.code === 'string' ? error.code : error.name) || '_OTHER') : '_OTHER';
      subgraphFetch.observe({ subgraph_name: subgraph, http_response_status_code: '', error_type: errorType }, seconds);
      subgraphErrors.inc({ subgraph_name: subgraph, error_type: errorType });
    },
    graphqlErrors(errors) {
      subgraphErrors.inc({ subgraph_name: subgraph, error_type: firstErrorCode(errors) ?? '_OTHER' });
    },
  };
}

const subscriptionSources = new Set<() => SubscriptionStats>();
const sumOf = (pick: (s: SubscriptionStats) => number) =>
  function collect(this: { set(value: number): void }) {
    let total = 0;
    for (const stats of subscriptionSources) total += pick(stats());
    this.set(total);
  };
gauge({ name: 'router_subscriptions_open', help: 'Client subscriptions being served.', collect: sumOf((s) => s.subscriptions) });
gauge({ name: 'router_websocket_connections_open', help: 'Client WebSocket (graphql-ws) connections.', collect: sumOf((s) => s.connections) });
gauge({ name: 'router_subgraph_websocket_connections_open', help: 'Open router → subgraph WebSocket connections.', collect: sumOf((s) => s.subgraphConnections) });

/** Subscription and WebSocket gauges read from a running router at scrape time; returns the removal. */
export function observeSubscriptions(stats: () => SubscriptionStats): () => void {
  subscriptionSources.add(stats);
  return () => void subscriptionSources.delete(stats);
}

/**
 * Notes the operation's name and type, and the first error's code, on the
 * router's request context; the HTTP handler observes the request once it is
 * answered. One listener object for every request: no allocation per request.
 */
export function requestMetricsPlugin(): ApolloServerPlugin<RouterContext> {
  const listener: GraphQLRequestListener<RouterContext> = {
    async didResolveOperation({ contextValue, operation, operationName }) {
      const observed = contextValue.observed;
      if (!observed) return;
      observed.operationName = operationName ?? undefined;
      observed.operationType = operation?.operation;
    },
    async didEncounterErrors({ contextValue, errors }) {
      const code = firstErrorCode(errors);
      if (contextValue.observed) contextValue.observed.errorCode ??= code;
      countRejection(code);
    },
  };
  return { requestDidStart: async () => listener };
}

// ---------------------------------------------------------------------------
// Query planning: the gateway has no timing hook, but plans through
// QueryPlanner.prototype.buildQueryPlan (synchronously) on a plan-cache miss,
// and reports every resolved plan to `experimental_didResolveQueryPlan`.

const planning = histogram({
  name: 'router_query_planning_duration_seconds',
  help: 'Time the gateway spent building a query plan (plan-cache misses only).',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
});
const planCache = counter({
  name: 'router_query_plan_cache_total',
  help: 'Query plans the gateway resolved, from its plan cache (hit) or newly built (miss).',
  labelNames: ['result'] as const,
});
planCache.inc({ result: 'hit' }, 0);
planCache.inc({ result: 'miss' }, 0);
const builtPlans = new WeakSet<object>();
let planningTimed = false;

/** Wraps the gateway's planner (once per process) to time each plan it builds. */
export function timeQueryPlanning(): void {
  if (planningTimed) return;
  planningTimed = true;
  // The query planner the gateway itself loads (same module instance).
  const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
  const planner = gatewayRequire('@apollo/query-planner') as { QueryPlanner: { prototype: { buildQueryPlan(...args: unknown[]): QueryPlan } } };
  const prototype = planner.QueryPlanner.prototype;
  const build = prototype.buildQueryPlan;
  prototype.buildQueryPlan = function buildQueryPlan(this: unknown, ...args: unknown[]): QueryPlan {
    const started = performance.now();
    const plan = build.apply(this, args);
    planning.observe((performance.now() - started) / 1000);
    builtPlans.add(plan);
    return plan;
  };
}

/** For ApolloGateway's `experimental_didResolveQueryPlan`: a plan just built is a miss, a known one a hit. */
export function didResolveQueryPlan({ queryPlan }: { queryPlan: QueryPlan }): void {
  if (builtPlans.has(queryPlan)) {
    builtPlans.delete(queryPlan);
    planCache.inc({ result: 'miss' });
  } else planCache.inc({ result: 'hit' });
}
