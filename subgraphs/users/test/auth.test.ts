import { createHash } from 'node:crypto';
import { verifyAccessToken } from '@commerce/auth';
import { createLogger } from '@commerce/observability';
import { errorCode, tokenFor, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../src/context.js';
import { ensureAdmin } from '../src/service/auth.service.js';
import {
  AUTH_FIELDS,
  expectNoInternals,
  register,
  startTestServer,
  STRONG_PASSWORD,
  truncateAll,
  type Session,
  type TestServer,
} from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
});
afterAll(async () => {
  await server?.stop();
});

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($token: String!) { refreshSession(input: { refreshToken: $token }) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation ($token: String!) { logout(input: { refreshToken: $token }) { success } }`;
const ME = `{ me { id email name role createdAt } }`;

const login = (email: string, password: string) => server.gql<{ login: Session }>(LOGIN, { variables: { input: { email, password } } });
const refresh = (token: string) => server.gql<{ refreshSession: Session }>(REFRESH, { variables: { token } });

const outboxRows = (aggregateId: string) =>
  server.db.$queryRaw<{ event_type: string; topic: string; envelope: { type: string; aggregateId: string; payload: Record<string, unknown> } }[]>`
    SELECT event_type, topic, envelope FROM outbox_events WHERE aggregate_id = ${aggregateId}`;

describe('register', () => {
  it('creates a CUSTOMER with a normalized email and signs it in', async () => {
    const email = uniqueEmail('Ada');
    const session = await register(server, { email: `  ${email.toUpperCase()} `, name: '  Ada Lovelace ' });
    expect(session.user).toMatchObject({ email: email.toLowerCase(), name: 'Ada Lovelace', role: 'CUSTOMER' });
    const identity = await verifyAccessToken(session.accessToken);
    expect(identity).toMatchObject({ userId: session.user.id, email: email.toLowerCase(), roles: ['CUSTOMER'] });

    const me = await server.ok<{ me: { id: string; email: string } }>(ME, { token: session.accessToken });
    expect(me.me).toMatchObject({ id: session.user.id, email: email.toLowerCase() });
  });

  it('stores a salted scrypt hash, never the password', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const [row] = await server.db.$queryRaw<{ password_hash: string }[]>`
      SELECT password_hash FROM users WHERE id = ${session.user.id}::uuid`;
    expect(row?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row?.password_hash).not.toContain(STRONG_PASSWORD);
  });

  it("writes user.registered to the outbox with the user, in the caller's trace", async () => {
    const email = uniqueEmail();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { register: session } = await server.ok<{ register: Session }>(REGISTER, {
      variables: { input: { email, password: STRONG_PASSWORD, name: 'Grace Hopper' } },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const rows = await outboxRows(session.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_type: 'user.registered',
      topic: 'commerce.user',
      envelope: {
        type: 'user.registered',
        aggregateId: session.user.id,
        payload: { userId: session.user.id, email, name: 'Grace Hopper', role: 'CUSTOMER' },
        traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-[0-9a-f]{2}$`)),
      },
    });
  });

  it.each([
    ['short1!', 'WEAK_PASSWORD'],
    ['onlyletterslong', 'WEAK_PASSWORD'],
    ['x1'.repeat(101), 'WEAK_PASSWORD'],
  ])('refuses the weak password %s and writes nothing', async (password, code) => {
    const email = uniqueEmail();
    const response = await server.gql(REGISTER, { variables: { input: { email, password, name: 'Weak' } } });
    expect(errorCode(response)).toBe(code);
    expect(response.errors?.[0]?.extensions).toMatchObject({ field: 'password' });
    expectNoInternals(response);
    expect(await server.db.user.count({ where: { email } })).toBe(0);
    const events = await server.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM outbox_events WHERE envelope->'payload'->>'email' = ${email}`;
    expect(events[0]?.n).toBe(0n);
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
  ])('rejects bad input %j with the field name', async (override, field) => {
    const response = await server.gql(REGISTER, {
      variables: { input: { email: uniqueEmail(), password: STRONG_PASSWORD, name: 'Valid', ...override } },
    });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
    expectNoInternals(response);
  });

  it('refuses a taken email, case-insensitively', async () => {
    const email = uniqueEmail();
    await register(server, { email });
    const response = await server.gql(REGISTER, {
      variables: { input: { email: email.toUpperCase(), password: STRONG_PASSWORD, name: 'Twin' } },
    });
    expect(errorCode(response)).toBe('EMAIL_TAKEN');
    expect(await server.db.user.count({ where: { email } })).toBe(1);
  });

  it('lets exactly one of several concurrent registrations of one email win', async () => {
    const email = uniqueEmail('race');
    const attempts = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        server.gql<{ register: Session }>(REGISTER, { variables: { input: { email, password: STRONG_PASSWORD, name: `Racer ${i}` } } }),
      ),
    );
    const winners = attempts.filter((response) => !response.errors);
    const losers = attempts.filter((response) => response.errors);
    expect(winners).toHaveLength(1);
    expect(losers.map(errorCode)).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN']);
    const winnerId = winners[0]?.data?.register.user.id ?? '';
    expect(await server.db.user.count({ where: { email } })).toBe(1);
    expect(await outboxRows(winnerId)).toHaveLength(1);
    const events = await server.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM outbox_events WHERE envelope->'payload'->>'email' = ${email}`;
    expect(events[0]?.n).toBe(1n);
  });

  describe('when the transaction fails after the outbox insert', () => {
    // A trigger that fails the refresh-token insert of one marked user: the
    // last statement of the registration transaction, after user and event.
    beforeAll(async () => {
      await server.db.$executeRawUnsafe(`
        CREATE OR REPLACE FUNCTION test_fail_refresh_token() RETURNS trigger AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND name = 'Fail After Outbox') THEN
            RAISE EXCEPTION 'injected failure';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql`);
      await server.db.$executeRawUnsafe(`
        CREATE TRIGGER test_fail_refresh_token BEFORE INSERT ON refresh_tokens
        FOR EACH ROW EXECUTE FUNCTION test_fail_refresh_token()`);
    });
    afterAll(async () => {
      await server.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS test_fail_refresh_token ON refresh_tokens');
      await server.db.$executeRawUnsafe('DROP FUNCTION IF EXISTS test_fail_refresh_token()');
    });

    it('rolls back the user and its event together, and masks the error', async () => {
      const email = uniqueEmail('atomic');
      const response = await server.gql(REGISTER, {
        variables: { input: { email, password: STRONG_PASSWORD, name: 'Fail After Outbox' } },
      });
      expect(errorCode(response)).toBe('INTERNAL_SERVER_ERROR');
      expect(response.errors?.[0]?.message).not.toContain('injected');
      expectNoInternals(response);
      expect(await server.db.user.count({ where: { email } })).toBe(0);
      const events = await server.db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM outbox_events WHERE envelope->'payload'->>'email' = ${email}`;
      expect(events[0]?.n).toBe(0n);
    });
  });
});

describe('login', () => {
  it('signs in with the right password, whatever the email case', async () => {
    const email = uniqueEmail();
    const registered = await register(server, { email });
    const response = await login(` ${email.toUpperCase()}`, STRONG_PASSWORD);
    expect(response.errors).toBeUndefined();
    expect(response.data?.login.user.id).toBe(registered.user.id);
    expect(response.data?.login.refreshToken).not.toBe(registered.refreshToken);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const email = uniqueEmail();
    await register(server, { email });
    const wrongPassword = await login(email, 'wrong-password-1');
    const unknownEmail = await login(uniqueEmail('nobody'), 'wrong-password-1');
    expect(errorCode(wrongPassword)).toBe('INVALID_CREDENTIALS');
    expect(unknownEmail.errors).toEqual(wrongPassword.errors);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expectNoInternals(wrongPassword);
  });

  it('spends comparable time on unknown emails (a dummy scrypt runs)', async () => {
    const email = uniqueEmail();
    await register(server, { email });
    const time = async (address: string) => {
      const started = performance.now();
      await login(address, 'wrong-password-1');
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(email));
      unknown.push(await time(uniqueEmail('nobody')));
    }
    // Without the dummy hash an unknown email answers in ~1 ms against ~50+ ms.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });
});

describe('refresh sessions', () => {
  it('rotates the refresh token on every use and stores only its hash', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const first = await refresh(session.refreshToken);
    expect(first.errors).toBeUndefined();
    const next = first.data?.refreshSession;
    expect(next?.refreshToken).not.toBe(session.refreshToken);
    expect(next?.user.id).toBe(session.user.id);

    const second = await refresh(next?.refreshToken ?? '');
    expect(second.errors).toBeUndefined();

    const rows = await server.db.refreshToken.findMany({ where: { userId: session.user.id }, orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => row.familyId)).size).toBe(1);
    expect(rows.map((row) => row.rotatedAt !== null)).toEqual([true, true, false]);
    const sha = (token: string) => createHash('sha256').update(token).digest('base64url');
    expect(rows[0]?.tokenHash).toBe(sha(session.refreshToken));
    expect(rows.some((row) => row.tokenHash === session.refreshToken)).toBe(false);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const rotated = (await refresh(session.refreshToken)).data?.refreshSession;
    expect(rotated).toBeDefined();

    const replay = await refresh(session.refreshToken);
    expect(errorCode(replay)).toBe('INVALID_REFRESH_TOKEN');
    // The legitimate holder of the newest token is signed out too.
    expect(errorCode(await refresh(rotated?.refreshToken ?? ''))).toBe('INVALID_REFRESH_TOKEN');
    const live = await server.db.refreshToken.count({ where: { userId: session.user.id, revokedAt: null } });
    expect(live).toBe(0);
  });

  it('treats two concurrent uses of one token as reuse', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect(results.filter((response) => !response.errors).length).toBeLessThanOrEqual(1);
    expect(results.some((response) => errorCode(response) === 'INVALID_REFRESH_TOKEN')).toBe(true);
    expect(await server.db.refreshToken.count({ where: { userId: session.user.id, revokedAt: null } })).toBe(0);
  });

  it('leaves other sessions of the same user alone', async () => {
    const email = uniqueEmail();
    const first = await register(server, { email });
    const second = (await login(email, STRONG_PASSWORD)).data?.login;
    await refresh(first.refreshToken);
    await refresh(first.refreshToken); // reuse: revokes the first family only
    expect((await refresh(second?.refreshToken ?? '')).errors).toBeUndefined();
  });

  it('refuses unknown, malformed and expired tokens', async () => {
    expect(errorCode(await refresh('A'.repeat(43)))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await refresh('not a token'))).toBe('INVALID_REFRESH_TOKEN');
    const session = await register(server, { email: uniqueEmail() });
    await server.db.refreshToken.updateMany({ where: { userId: session.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await refresh(session.refreshToken);
    expect(errorCode(expired)).toBe('INVALID_REFRESH_TOKEN');
    expectNoInternals(expired);
  });

  it('picks up a role change', async () => {
    const email = uniqueEmail();
    const session = await register(server, { email });
    expect((await verifyAccessToken(session.accessToken)).roles).toEqual(['CUSTOMER']);
    await ensureAdmin(systemContext(server.db, createLogger({ service: 'test', level: 'silent' })), {
      email,
      password: STRONG_PASSWORD,
    });
    const refreshed = (await refresh(session.refreshToken)).data?.refreshSession;
    expect(refreshed?.user.role).toBe('ADMIN');
    expect((await verifyAccessToken(refreshed?.accessToken ?? '')).roles).toEqual(['ADMIN']);
  });
});

describe('logout', () => {
  it('ends the session: the family can no longer refresh', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const rotated = (await refresh(session.refreshToken)).data?.refreshSession;
    const response = await server.ok<{ logout: { success: boolean } }>(LOGOUT, { variables: { token: rotated?.refreshToken } });
    expect(response.logout.success).toBe(true);
    expect(errorCode(await refresh(rotated?.refreshToken ?? ''))).toBe('INVALID_REFRESH_TOKEN');
    // Logging out twice is harmless.
    expect((await server.ok<{ logout: { success: boolean } }>(LOGOUT, { variables: { token: rotated?.refreshToken } })).logout.success).toBe(true);
  });

  it('reports false for a token it never issued', async () => {
    const response = await server.ok<{ logout: { success: boolean } }>(LOGOUT, { variables: { token: 'B'.repeat(43) } });
    expect(response.logout.success).toBe(false);
  });
});

describe('me', () => {
  it('is null for an anonymous caller', async () => {
    const response = await server.gql<{ me: null }>(ME);
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toBeNull();
  });

  it('is UNAUTHENTICATED for a bad token, never anonymous', async () => {
    const response = await server.gql(ME, { token: 'not.a.jwt' });
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expectNoInternals(response);
  });

  it('is null for a valid token whose user does not exist', async () => {
    const { token } = await tokenFor();
    const response = await server.gql<{ me: null }>(ME, { token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toBeNull();
  });
});

describe('updateProfile', () => {
  const UPDATE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id name } }`;

  it('renames the caller', async () => {
    const session = await register(server, { email: uniqueEmail() });
    const data = await server.ok<{ updateProfile: { name: string } }>(UPDATE, {
      token: session.accessToken,
      variables: { input: { name: ' New Name ' } },
    });
    expect(data.updateProfile.name).toBe('New Name');
  });

  it('leaves the profile alone when nothing is given', async () => {
    const session = await register(server, { email: uniqueEmail(), name: 'Unchanged' });
    const data = await server.ok<{ updateProfile: { name: string } }>(UPDATE, { token: session.accessToken, variables: { input: {} } });
    expect(data.updateProfile.name).toBe('Unchanged');
  });

  it('is NOT_FOUND for a valid token whose account no longer exists', async () => {
    const { token } = await tokenFor();
    expect(errorCode(await server.gql(UPDATE, { token, variables: { input: { name: 'Ghost' } } }))).toBe('NOT_FOUND');
  });

  it('requires a signed-in caller and a non-null name', async () => {
    expect(errorCode(await server.gql(UPDATE, { variables: { input: { name: 'x' } } }))).toBe('UNAUTHENTICATED');
    const session = await register(server, { email: uniqueEmail() });
    const response = await server.gql(UPDATE, { token: session.accessToken, variables: { input: { name: null } } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('name');
  });
});

describe('ensureAdmin', () => {
  it('creates an ADMIN once (with its event), idempotently', async () => {
    const ctx = systemContext(server.db, createLogger({ service: 'test', level: 'silent' }));
    const email = uniqueEmail('admin');
    const [a, b] = await Promise.all([
      ensureAdmin(ctx, { email, password: 'admin-password-1' }),
      ensureAdmin(ctx, { email, password: 'admin-password-1' }),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.role).toBe('ADMIN');
    expect(await outboxRows(a.id)).toHaveLength(1);
    const signedIn = await login(email, 'admin-password-1');
    expect(signedIn.data?.login.user.role).toBe('ADMIN');
  });

  it('is never reachable through registration', async () => {
    const response = await server.gql(REGISTER, {
      variables: { input: { email: uniqueEmail(), password: STRONG_PASSWORD, name: 'Sneaky', role: 'ADMIN' } },
    });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
  });
});
