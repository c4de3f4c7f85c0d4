/**
 * The admin console's side of users (issue 11): the customers list with
 * search and a total, granting and revoking the admin role (recorded, ending
 * the user's sessions, never one's own demotion), the audit log, and admin
 * sessions that expire sooner than shoppers'.
 */
import { verifyAccessToken } from '@commerce/auth';
import { createLogger } from '@commerce/observability';
import { errorCode, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemContext } from '../src/context.js';
import { ensureAdmin } from '../src/service/auth.service.js';
import { AUTH_FIELDS, register, STRONG_PASSWORD, startTestServer, truncateAll, type Session, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await truncateAll(server.db);
});

interface Auth {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; role: string };
}

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($input: RefreshSessionInput!) { refreshSession(input: $input) { ${AUTH_FIELDS} } }`;

const login = async (email: string, password = STRONG_PASSWORD): Promise<Auth> =>
  (await server.ok<{ login: Auth }>(LOGIN, { variables: { input: { email, password } } })).login;

/** A signed-in administrator (created the operators' way, then signed in). */
async function signedInAdmin(name = 'Ada Admin'): Promise<Auth> {
  const email = uniqueEmail('admin');
  await ensureAdmin(systemContext(server.db, createLogger({ service: 'test', level: 'silent' })), { email, password: STRONG_PASSWORD, name });
  return login(email);
}

describe('users (customers list)', () => {
  const USERS = `query ($filter: UserFilter, $first: Int, $after: String) {
    users(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id email name role } }
    }
  }`;
  interface Users {
    users: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; email: string; name: string; role: string } }[] };
  }

  it('searches email or name (case-insensitive), filters by role, counts every match and pages newest first', async () => {
    const admin = await signedInAdmin();
    const grace = await register(server, { email: uniqueEmail('grace'), name: 'Grace Hopper' });
    const alan = await register(server, { email: uniqueEmail('alan'), name: 'Alan Turing' });
    const hopper = await register(server, { email: uniqueEmail('hopper-fan'), name: 'Someone Else' });
    const as = { token: admin.accessToken };

    const all = await server.ok<Users>(USERS, { ...as, variables: { first: 2 } });
    expect(all.users.totalCount).toBe(4);
    expect(all.users.edges.map((e) => e.node.id)).toEqual([hopper.user.id, alan.user.id]);
    const rest = await server.ok<Users>(USERS, { ...as, variables: { first: 2, after: all.users.pageInfo.endCursor } });
    expect(rest.users.edges.map((e) => e.node.id)).toEqual([grace.user.id, admin.user.id]);
    expect(rest.users.pageInfo.hasNextPage).toBe(false);

    const byText = await server.ok<Users>(USERS, { ...as, variables: { filter: { search: 'HOPPER' } } });
    expect(byText.users.edges.map((e) => e.node.id).sort()).toEqual([grace.user.id, hopper.user.id].sort());
    expect(byText.users.totalCount).toBe(2);

    const admins = await server.ok<Users>(USERS, { ...as, variables: { filter: { role: 'ADMIN' } } });
    expect(admins.users.edges.map((e) => e.node)).toEqual([expect.objectContaining({ id: admin.user.id, role: 'ADMIN' })]);
    const customersNamedAlan = await server.ok<Users>(USERS, { ...as, variables: { filter: { role: 'CUSTOMER', search: 'alan t' } } });
    expect(customersNamedAlan.users.edges.map((e) => e.node.email)).toEqual([alan.user.email]);
  });

  it('reads one account by id for the customer page (null when unknown)', async () => {
    const admin = await signedInAdmin();
    const shopper = await register(server, { email: uniqueEmail(), name: 'Page Person' });
    const USER = `query ($id: ID!) { user(id: $id) { id name email role addresses { totalCount } } }`;
    const found = await server.ok<{ user: { email: string; role: string } | null }>(USER, { token: admin.accessToken, variables: { id: shopper.user.id } });
    expect(found.user).toMatchObject({ email: shopper.user.email, role: 'CUSTOMER', addresses: { totalCount: 0 } });
    expect((await server.ok<{ user: null }>(USER, { token: admin.accessToken, variables: { id: crypto.randomUUID() } })).user).toBeNull();
    expect(errorCode(await server.gql(USER, { token: shopper.accessToken, variables: { id: shopper.user.id } }))).toBe('FORBIDDEN');
  });

  it('is for admins only', async () => {
    const shopper = await register(server, { email: uniqueEmail() });
    expect(errorCode(await server.gql(USERS, { token: shopper.accessToken }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(USERS))).toBe('UNAUTHENTICATED');
  });
});

describe('setUserRole', () => {
  const SET_ROLE = `mutation ($input: SetUserRoleInput!) { setUserRole(input: $input) { id role } }`;
  const LOG = `query ($filter: AuditLogFilter) {
    usersAuditLog(filter: $filter) { totalCount edges { node { domain action actorId actor { id email } targetType targetId changes at } } }
  }`;
  interface Log {
    usersAuditLog: {
      totalCount: number;
      edges: { node: { domain: string; action: string; actorId: string; actor: { id: string; email: string } | null; targetType: string; targetId: string; changes: string } }[];
    };
  }
  const refresh = (session: Pick<Session, 'refreshToken'>) => server.gql<{ refreshSession: Auth }>(REFRESH, { variables: { input: { refreshToken: session.refreshToken } } });

  it('grants and revokes the admin role, ends the user’s sessions and records each change with the actor', async () => {
    const admin = await signedInAdmin();
    const email = uniqueEmail();
    const shopper = await register(server, { email });
    const as = { token: admin.accessToken };

    const granted = await server.ok<{ setUserRole: { role: string } }>(SET_ROLE, { ...as, variables: { input: { userId: shopper.user.id, role: 'ADMIN' } } });
    expect(granted.setUserRole.role).toBe('ADMIN');
    // Their session is over: the next sign-in carries the new role (and the admin's shorter session).
    expect(errorCode(await refresh(shopper))).toBe('INVALID_REFRESH_TOKEN');
    const promoted = await login(email);
    expect((await verifyAccessToken(promoted.accessToken)).roles).toEqual(['ADMIN']);

    // The same role again changes nothing and records nothing.
    await server.ok(SET_ROLE, { ...as, variables: { input: { userId: shopper.user.id, role: 'ADMIN' } } });
    expect((await refresh(promoted)).errors).toBeUndefined();

    const promotedAgain = await login(email);
    await server.ok(SET_ROLE, { ...as, variables: { input: { userId: shopper.user.id, role: 'CUSTOMER' } } });
    expect(errorCode(await refresh(promotedAgain))).toBe('INVALID_REFRESH_TOKEN');
    expect((await verifyAccessToken((await login(email)).accessToken)).roles).toEqual(['CUSTOMER']);

    const log = await server.ok<Log>(LOG, as);
    expect(log.usersAuditLog.totalCount).toBe(2);
    const [revoked, grant] = log.usersAuditLog.edges.map((e) => e.node);
    expect(revoked).toMatchObject({
      domain: 'users',
      action: 'setUserRole',
      actorId: admin.user.id,
      actor: { id: admin.user.id, email: admin.user.email },
      targetType: 'User',
      targetId: shopper.user.id,
    });
    expect(JSON.parse(revoked?.changes ?? '{}')).toMatchObject({ role: { before: 'ADMIN', after: 'CUSTOMER' } });
    expect(JSON.parse(grant?.changes ?? '{}')).toEqual({ role: { before: 'CUSTOMER', after: 'ADMIN' }, refreshTokensRevoked: 1 });
    const filtered = await server.ok<Log>(LOG, { ...as, variables: { filter: { targetId: shopper.user.id, action: 'setUserRole' } } });
    expect(filtered.usersAuditLog.totalCount).toBe(2);
  });

  it('refuses an admin’s own demotion with FORBIDDEN, and changes nothing', async () => {
    const admin = await signedInAdmin();
    const response = await server.gql(SET_ROLE, { token: admin.accessToken, variables: { input: { userId: admin.user.id, role: 'CUSTOMER' } } });
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(response.errors?.[0]?.extensions).toMatchObject({ reason: 'CANNOT_CHANGE_OWN_ROLE' });
    expect(response.errors?.[0]?.message).toMatch(/own admin role/);
    const row = await server.db.user.findUniqueOrThrow({ where: { id: admin.user.id } });
    expect(row.role).toBe('ADMIN');
    expect((await refresh(admin)).errors).toBeUndefined();
    expect((await server.ok<Log>(LOG, { token: admin.accessToken })).usersAuditLog.totalCount).toBe(0);
  });

  it('is for admins only, and NOT_FOUND for an unknown user', async () => {
    const admin = await signedInAdmin();
    const shopper = await register(server, { email: uniqueEmail() });
    const input = { userId: shopper.user.id, role: 'ADMIN' };
    expect(errorCode(await server.gql(SET_ROLE, { token: shopper.accessToken, variables: { input } }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(SET_ROLE, { variables: { input } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(LOG, { token: shopper.accessToken }))).toBe('FORBIDDEN');
    expect((await server.db.user.findUniqueOrThrow({ where: { id: shopper.user.id } })).role).toBe('CUSTOMER');
    const unknown = await server.gql(SET_ROLE, { token: admin.accessToken, variables: { input: { userId: crypto.randomUUID(), role: 'ADMIN' } } });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
  });
});

describe('session lifetimes', () => {
  const seconds = (iso: string, from: number) => (new Date(iso).getTime() - from) / 1000;

  it('gives administrators a 5-minute access token and an 8-hour session that refreshing never extends', async () => {
    const before = Date.now();
    const admin = await signedInAdmin();
    expect(seconds(admin.accessTokenExpiresAt, before)).toBeGreaterThan(290);
    expect(seconds(admin.accessTokenExpiresAt, before)).toBeLessThanOrEqual(302);
    expect((await verifyAccessToken(admin.accessToken)).expiresAt * 1000).toBe(new Date(admin.accessTokenExpiresAt).getTime());
    expect(seconds(admin.refreshTokenExpiresAt, before)).toBeGreaterThan(8 * 3600 - 10);
    expect(seconds(admin.refreshTokenExpiresAt, before)).toBeLessThanOrEqual(8 * 3600 + 2);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const refreshed = (await server.ok<{ refreshSession: Auth }>(REFRESH, { variables: { input: { refreshToken: admin.refreshToken } } })).refreshSession;
    // Absolute: the session still ends 8 hours after sign-in.
    expect(refreshed.refreshTokenExpiresAt).toBe(admin.refreshTokenExpiresAt);
    expect(seconds(refreshed.accessTokenExpiresAt, Date.now())).toBeLessThanOrEqual(301);
  });

  it('keeps shoppers’ 15-minute access token and 30-day session, renewed by each refresh', async () => {
    const before = Date.now();
    // register's answer carries every AUTH_FIELDS field; Session only types what most tests read.
    const shopper = (await register(server, { email: uniqueEmail() })) as Session & Pick<Auth, 'accessTokenExpiresAt' | 'refreshTokenExpiresAt'>;
    expect(seconds(shopper.accessTokenExpiresAt, before)).toBeGreaterThan(15 * 60 - 10);
    expect(seconds(shopper.accessTokenExpiresAt, before)).toBeLessThanOrEqual(15 * 60 + 2);
    expect(seconds(shopper.refreshTokenExpiresAt, before)).toBeGreaterThan(30 * 86400 - 10);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const refreshed = (await server.ok<{ refreshSession: Auth }>(REFRESH, { variables: { input: { refreshToken: shopper.refreshToken } } })).refreshSession;
    expect(new Date(refreshed.refreshTokenExpiresAt).getTime()).toBeGreaterThan(new Date(shopper.refreshTokenExpiresAt).getTime());
  });

  it('ends an admin session at its absolute expiry, however recently it was refreshed', async () => {
    const admin = await signedInAdmin();
    const refreshed = (await server.ok<{ refreshSession: Auth }>(REFRESH, { variables: { input: { refreshToken: admin.refreshToken } } })).refreshSession;
    // Eight hours later (moved back in the database rather than waited for).
    await server.db.refreshToken.updateMany({ where: { userId: admin.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await server.gql(REFRESH, { variables: { input: { refreshToken: refreshed.refreshToken } } });
    expect(errorCode(late)).toBe('INVALID_REFRESH_TOKEN');
  });
});
