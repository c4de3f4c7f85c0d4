/**
 * How both apps' servers talk to the router: one POST per typed operation,
 * with the errors every caller can handle by their stable `extensions.code`.
 * What a caller makes of the answer (partial data, caching, 503s) stays in
 * the app's own executeGraphQL.
 */

/** One error of a GraphQL response, with the stable code the subgraphs and the router set. */
export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; reason?: string; field?: unknown; [key: string]: unknown };
}

/** The graph answered with errors; `code` is the first error's `extensions.code`. */
export class GraphQLRequestError extends Error {
  readonly code: string;
  constructor(readonly errors: readonly GraphQLErrorShape[]) {
    super(errors[0]?.message ?? 'GraphQL error');
    this.name = 'GraphQLRequestError';
    this.code = errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  }
  get extensions(): GraphQLErrorShape['extensions'] {
    return this.errors[0]?.extensions;
  }
  get reason(): string | undefined {
    return this.errors[0]?.extensions?.reason;
  }
}

/** The router could not be reached or answered with a server error. */
export class RouterUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(cause: unknown, message = 'The graph is temporarily unavailable') {
    super(message, { cause });
    this.name = 'RouterUnavailableError';
  }
}

/** An operation to send: the app's typed document (only its text is sent) and how. */
export interface OperationRequest<TVariables> {
  routerUrl: string;
  document: { toString(): string };
  variables?: TVariables | undefined;
  /** Sent as `Bearer`; the router resolves the user from it. */
  accessToken?: string | undefined;
  /** Headers after the standard ones, e.g. X-Forwarded-For. */
  headers?: Record<string, string>;
  /** Next's caching for this fetch: `{ cache: 'no-store' }` or `{ next: { tags, revalidate } }`. */
  caching: RequestInit;
  timeoutMs: number;
  /** The app's RouterUnavailableError (its own wording). */
  unavailable: (cause: unknown) => RouterUnavailableError;
}

/** What the router answered: the HTTP status and the body as GraphQL over HTTP defines it. */
export interface OperationResponse<TResult> {
  status: number;
  payload: { data?: TResult | null; errors?: GraphQLErrorShape[] };
}

/**
 * POSTs one operation with its name. The router down, a timeout, a 5xx other
 * than 503, or a body that is not JSON: `unavailable`. A 503 is returned, for
 * the caller to decide whether partial data makes it usable.
 */
export async function postOperation<TResult, TVariables>(request: OperationRequest<TVariables>): Promise<OperationResponse<TResult>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (request.accessToken) headers.authorization = `Bearer ${request.accessToken}`;
  Object.assign(headers, request.headers);
  const body = JSON.stringify({ query: request.document.toString(), variables: request.variables ?? {}, operationName: operationName(request.document) });
  let response: Response;
  try {
    response = await fetch(request.routerUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(request.timeoutMs), ...request.caching });
  } catch (error) {
    throw request.unavailable(error);
  }
  if (response.status >= 500 && response.status !== 503) throw request.unavailable(new Error(`router answered ${response.status}`));
  try {
    return { status: response.status, payload: (await response.json()) as OperationResponse<TResult>['payload'] };
  } catch (error) {
    throw request.unavailable(error);
  }
}

function operationName(document: { toString(): string }): string | undefined {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document.toString())?.[1];
}
