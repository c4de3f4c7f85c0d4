/**
 * How every error leaves the router, over HTTP and over WebSocket alike:
 * `maskError` from @commerce/errors (subgraph codes survive, unknown errors
 * become INTERNAL_SERVER_ERROR), and in production no subgraph names.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, maskError } from '@commerce/errors';
import type { Logger } from '@commerce/observability';

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

function originalCode(error: unknown): string | undefined {
  // Apollo wraps validation errors as GRAPHQL_VALIDATION_FAILED; our limit rule's own code is on the original.
  if (!(error instanceof GraphQLError)) return undefined;
  const original = error.originalError;
  if (original instanceof GraphQLError && original.extensions.code === ErrorCode.QUERY_TOO_COMPLEX) return ErrorCode.QUERY_TOO_COMPLEX;
  return undefined;
}

export function createErrorFormatter(production: boolean, logger: Logger): ErrorFormatter {
  return (formatted, error) => {
    const code = originalCode(error);
    const withCode = code ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
    const masked = maskError(withCode, error, {
      onInternalError: (internal) => logger.error({ err: internal }, 'internal error hidden from the client'),
    });
    if (!masked.extensions || !('serviceName' in masked.extensions)) return masked;
    // The gateway names the failing subgraph; useful in development, internal topology in production.
    if (!production) return masked;
    const { serviceName: _serviceName, ...extensions } = masked.extensions;
    return { ...masked, extensions };
  };
}
