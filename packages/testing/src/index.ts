/**
 * Helpers for integration and end-to-end tests: a GraphQL-over-HTTP client,
 * a test harness around a running subgraph, tokens for made-up identities,
 * and a Kafka topic reader.
 */
import { randomUUID } from 'node:crypto';
import { signAccessToken, type Role } from '@commerce/auth';

export { KafkaTopicReader, startGroupAtEnd, waitForConsumerGroups } from './kafka.js';
export { recordSubscription, type RecordedSubscription } from './subscription.js';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<TData> {
  status: number;
  data: TData | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

/** POSTs one operation and returns status, data and errors without throwing on GraphQL errors. */
export async function graphql<TData = Record<string, unknown>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // Apollo Server's CSRF prevention wants a non-simple request.
      'apollo-require-preflight': 'true',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const text = await response.text();
  let body: { data?: TData | null; errors?: GraphQLErrorShape[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`Non-JSON response (${response.status}) from ${url}: ${text.slice(0, 300)}`);
  }
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Like `graphql`, but fails with the errors when there are any. */
export async function graphqlOk<TData = Record<string, unknown>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<TData> {
  const result = await graphql<TData>(url, query, options);
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data;
}

/** The first error's `extensions.code`, for concise assertions. */
export const errorCode = (result: GraphQLResponse<unknown>): string | undefined => result.errors?.[0]?.extensions?.code;

/** A signed access token for a made-up user; the user need not exist anywhere. */
export async function tokenFor(
  identity: { userId?: string; email?: string; roles?: Role[] } = {},
  ttlSeconds?: number,
): Promise<{ token: string; userId: string }> {
  const userId = identity.userId ?? randomUUID();
  const { token } = await signAccessToken(
    { userId, email: identity.email ?? `${userId}@example.test`, roles: identity.roles ?? ['CUSTOMER'] },
    ttlSeconds,
  );
  return { token, userId };
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export const uniqueEmail = (prefix = 'shopper'): string => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

/** A subgraph started for a test, with a GraphQL client bound to it. */
export interface TestSubgraph<TDb> {
  url: string;
  db: TDb;
  gql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  ok<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<T>;
  /** Stops the subgraph, then closes its database client. */
  stop(): Promise<void>;
}

/**
 * Wraps a running subgraph (`startSubgraph(def, { port: 0 })`) and the database
 * client it was given, so each subgraph's test harness is one line.
 */
export function testSubgraph<TDb extends { $disconnect(): Promise<unknown> }>(
  running: { url: string; stop(): Promise<void> },
  db: TDb,
): TestSubgraph<TDb> {
  return {
    url: running.url,
    db,
    gql: (query, options) => graphql(running.url, query, options),
    ok: (query, options) => graphqlOk(running.url, query, options),
    async stop() {
      await running.stop();
      await db.$disconnect();
    },
  };
}

export { resetDatabase } from './database.js';
export { isOutboxAppend, isTransactionControl, ownStatements } from './statements.js';
