import { databaseUrl } from '@commerce/config';
import { startSubgraph } from '@commerce/subgraph-kit';
import { testSubgraph, type GraphQLResponse, type TestSubgraph } from '@commerce/testing';
import { createPrismaClient, type UsersDb } from '../src/data/prisma.js';
import { usersSubgraph } from '../src/subgraph.js';

/**
 * A users subgraph on an ephemeral port over ecommerce_users_test, with the
 * outbox relay off (Kafka is exercised by the events and e2e suites) and
 * every SQL statement recorded so tests can count round trips.
 */
export interface TestServer extends TestSubgraph<UsersDb> {
  /** SQL statements sent since the last `queries.length = 0`. */
  queries: string[];
}

export async function startTestServer(): Promise<TestServer> {
  const queries: string[] = [];
  const db = createPrismaClient(databaseUrl('users', 'test'), { onQuery: (sql) => queries.push(sql) });
  const running = await startSubgraph(usersSubgraph({ db, relay: false, admin: false }), { port: 0 });
  return { ...testSubgraph(running, db), queries };
}

/** Every test file starts from empty tables; files run one at a time (vitest.config.ts). */
export async function truncateAll(db: UsersDb): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE TABLE email_change_tokens, password_reset_tokens, refresh_tokens, addresses, users, audit_entries, outbox_events, processed_events RESTART IDENTITY CASCADE',
  );
}

export const STRONG_PASSWORD = 'correct-horse-42';

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: string };
}

export const AUTH_FIELDS = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email name role }`;

export async function register(
  server: TestServer,
  input: { email: string; password?: string; name?: string },
): Promise<Session> {
  const data = await server.ok<{ register: Session }>(
    `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { variables: { input: { password: STRONG_PASSWORD, name: 'Test Shopper', ...input } } },
  );
  return data.register;
}

/** No error of any response may carry a stack trace or exception details. */
export function expectNoInternals(response: GraphQLResponse<unknown>): void {
  for (const error of response.errors ?? []) {
    if (error.extensions && ('stacktrace' in error.extensions || 'exception' in error.extensions)) {
      throw new Error(`error exposes internals: ${JSON.stringify(error)}`);
    }
  }
}
