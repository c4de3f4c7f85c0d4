/**
 * GraphQL request metrics, shared by the router and the subgraphs. Names
 * follow OpenTelemetry's semantic conventions as Prometheus spells them
 * (dots become underscores, the unit is a suffix): `http.server.request.duration`
 * becomes `http_server_request_duration_seconds`, with the attributes
 * `http.request.method`, `http.response.status_code`, `http.route`,
 * `graphql.operation.name`, `graphql.operation.type` and `error.type`
 * (empty when the request succeeded, else the first error's code).
 *
 * `service` says which process part answered (`router`, or the subgraph's
 * name): in development every subgraph runs in one process and one registry.
 */
import { histogram } from './registry.js';

export const HTTP_SERVER_DURATION = 'http_server_request_duration_seconds';

const LABELS = [
  'service',
  'http_request_method',
  'http_route',
  'http_response_status_code',
  'graphql_operation_name',
  'graphql_operation_type',
  'error_type',
] as const;

/** Distinct operation names kept as label values per service; later ones count as `other` (clients choose names). */
export const MAX_OPERATION_NAMES = 300;
const ANONYMOUS = 'anonymous';
const OTHER = 'other';
const VALID_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export interface GraphQLRequestObservation {
  method: string;
  status: number;
  operationName: string | null | undefined;
  /** query, mutation or subscription; empty when the request failed before an operation was resolved. */
  operationType: string | undefined;
  /** The first error's `extensions.code`, if any error was returned. */
  errorType: string | undefined;
  seconds: number;
}

export interface GraphQLRequestMetrics {
  observe(observation: GraphQLRequestObservation): void;
}

/** Request metrics for one service (`router` or a subgraph's name). */
export function graphqlRequestMetrics(service: string, route = '/graphql'): GraphQLRequestMetrics {
  const duration = histogram({
    name: HTTP_SERVER_DURATION,
    help: 'Duration of HTTP server requests (OpenTelemetry http.server.request.duration), by GraphQL operation.',
    labelNames: LABELS,
  });
  const names = new Set<string>();
  const nameLabel = (name: string | null | undefined): string => {
    if (!name) return ANONYMOUS;
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES || !VALID_NAME.test(name)) return OTHER;
    names.add(name);
    return name;
  };
  return {
    observe({ method, status, operationName, operationType, errorType, seconds }) {
      duration.observe(
        {
          service,
          http_request_method: method,
          http_route: route,
          http_response_status_code: status,
          graphql_operation_name: nameLabel(operationName),
          graphql_operation_type: operationType ?? '',
          error_type: errorType ?? (status >= 500 ? '_OTHER' : ''),
        },
        seconds,
      );
    },
  };
}

/**
 * The `extensions.code` of the first error, `_OTHER` when it has none
 * (OpenTelemetry's fallback for error.type). Apollo Server wraps validation
 * errors as GRAPHQL_VALIDATION_FAILED; a code of the original error (a
 * validation rule's own, e.g. QUERY_TOO_COMPLEX) wins.
 */
export function firstErrorCode(
  errors: readonly { extensions?: Record<string, unknown>; originalError?: unknown }[] | undefined,
): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  const original = first.originalError;
  const originalCode =
    typeof original === 'object' && original !== null && 'extensions' in original && typeof original.extensions === 'object' && original.extensions !== null && 'code' in original.extensions
      ? original.extensions.code
      : undefined;
  const code = typeof originalCode === 'string' ? originalCode : first.extensions?.code;
  return typeof code === 'string' && code.length <= 64 ? code : '_OTHER';
}
