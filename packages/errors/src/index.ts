import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Stable `extensions.code` values. Clients switch on these, so a code, once
 * published, never changes meaning. Add new ones; never rename.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  INVALID_CURSOR: 'INVALID_CURSOR',
  UNSUPPORTED_CURRENCY: 'UNSUPPORTED_CURRENCY',
  ALREADY_REVIEWED: 'ALREADY_REVIEWED',
  CART_EMPTY: 'CART_EMPTY',
  INVALID_DISCOUNT_CODE: 'INVALID_DISCOUNT_CODE',
  /** createDiscountCode: a code with that name (case-insensitive) already exists. */
  DISCOUNT_CODE_TAKEN: 'DISCOUNT_CODE_TAKEN',
  /** addProductVariant / updateProductVariant: another variant already has that SKU (case-insensitive); field `sku`. */
  SKU_TAKEN: 'SKU_TAKEN',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The router's safelist: a well-formed operation that is not one of the apps' known operations (403). */
  OPERATION_NOT_IN_SAFELIST: 'OPERATION_NOT_IN_SAFELIST',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorOptions {
  /** Extra, client-safe details, e.g. `{ field: 'email' }`. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** An error whose message and code are safe to show to the client. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { extensions: { code, ...options.details }, originalError: toError(options.cause) });
    this.name = 'AppError';
    this.code = code;
  }
}

function toError(cause: unknown): Error | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? cause : new Error(String(cause));
}

export const badInput = (message: string, field?: string): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { details: { field } } : {});
export const unauthenticated = (message = 'You must be signed in.'): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.'): AppError =>
  new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id?: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);

/** Codes that Apollo Server and graphql-js themselves assign; safe to pass through. */
const FRAMEWORK_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);
const KNOWN_CODES = new Set<string>([...Object.values(ErrorCode), ...FRAMEWORK_CODES]);

export interface MaskOptions {
  /** Called with the original error when it is hidden from the client. */
  onInternalError?: (error: unknown) => void;
}

/**
 * Apollo Server `formatError`: known errors pass with their code; anything else
 * (a bug, a database error) becomes a generic INTERNAL_SERVER_ERROR with no
 * message detail and no stack trace. The original goes to the log.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: MaskOptions = {},
): GraphQLFormattedError {
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
  if (code && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...formatted, extensions };
  }
  options.onInternalError?.(error);
  return {
    message: 'Something went wrong on our side. Please try again.',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
