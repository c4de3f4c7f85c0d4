import { createHash } from 'node:crypto';
import { eventRegistry } from '@commerce/events';
import { errorCode, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetMinResponseMs } from '../src/service/password-reset.service.js';
import { AUTH_FIELDS, expectNoInternals, register, startTestServer, STRONG_PASSWORD, truncateAll, type Session, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
});
afterAll(async () => {
  await server?.stop();
});

const REQUEST = `mutation ($email: String!) { requestPasswordReset(input: { email: $email }) { success } }`;
const RESET = `mutation ($token: String!, $password: String!) {
  resetPassword(input: { token: $token, newPassword: $password }) { success }
}`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($token: String!) { refreshSession(input: { refreshToken: $token }) { ${AUTH_FIELDS} } }`;

const NEW_PASSWORD = 'brand-new-secret-7';

const requestReset = (email: string) => server.gql<{ requestPasswordReset: { success: boolean } }>(REQUEST, { variables: { email } });
const resetPassword = (token: string, password = NEW_PASSWORD) =>
  server.gql<{ resetPassword: { success: boolean } }>(RESET, { variables: { token, password } });
const login = (email: string, password: string) => server.gql<{ login: Session }>(LOGIN, { variables: { input: { email, password } } });

interface ResetEvent {
  eventId: string;
  type: string;
  aggregateId: string;
  payload: { userId: string; email: string; name: string; resetToken: string; expiresAt: string };
}

/** The reset events written for a user, oldest first: the token reaches notifications only this way. */
const resetEvents = async (userId: string): Promise<ResetEvent[]> => {
  const rows = await server.db.$queryRaw<{ envelope: ResetEvent; topic: string }[]>`
    SELECT envelope, topic FROM outbox_events
     WHERE aggregate_id = ${userId} AND event_type = 'user.password_reset_requested' ORDER BY position`;
  for (const row of rows) expect(row.topic).toBe('commerce.user');
  return rows.map((row) => row.envelope);
};

/** Registers an account, asks for a reset and returns the token from the event, as the email link would carry it. */
async function accountWithResetToken(): Promise<{ session: Session; email: string; token: string }> {
  const email = uniqueEmail('reset');
  const session = await register(server, { email, name: 'Reset Me' });
  const response = await requestReset(email);
  expect(response.errors).toBeUndefined();
  const events = await resetEvents(session.user.id);
  const token = events.at(-1)?.payload.resetToken;
  if (!token) throw new Error('no reset event');
  return { session, email, token };
}

describe('requestPasswordReset', () => {
  it('stores only the SHA-256 of a fresh token and writes the event with the token, in one go', async () => {
    const email = uniqueEmail('known');
    const session = await register(server, { email, name: 'Ada Lovelace' });
    const before = Date.now();
    const response = await requestReset(` ${email.toUpperCase()} `);
    expect(response.errors).toBeUndefined();
    expect(response.data?.requestPasswordReset).toEqual({ success: true });

    const [event, ...more] = await resetEvents(session.user.id);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      type: 'user.password_reset_requested',
      aggregateId: session.user.id,
      payload: { userId: session.user.id, email, name: 'Ada Lovelace' },
    });
    // Exactly what the notifications consumer validates before emailing the link.
    expect(eventRegistry.parseEnvelope(event).ok).toBe(true);
    const token = event?.payload.resetToken ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(event?.payload.expiresAt ?? '');
    expect(expiresAt - before).toBeGreaterThan(29 * 60_000);
    expect(expiresAt - before).toBeLessThan(31 * 60_000);

    const rows = await server.db.$queryRaw<{ token_hash: string; expires_at: Date; used_at: Date | null }[]>`
      SELECT token_hash, expires_at, used_at FROM password_reset_tokens WHERE user_id = ${session.user.id}::uuid`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(rows[0]?.token_hash).not.toContain(token);
    expect(rows[0]?.expires_at.getTime()).toBe(expiresAt);
    expect(rows[0]?.used_at).toBeNull();
  });

  it('answers an unknown email exactly like a known one, and writes nothing', async () => {
    const known = uniqueEmail('known');
    await register(server, { email: known });
    const unknown = uniqueEmail('nobody');
    const [knownResponse, unknownResponse] = [await requestReset(known), await requestReset(unknown)];
    expect(unknownResponse).toEqual(knownResponse);
    const events = await server.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM outbox_events WHERE envelope->'payload'->>'email' = ${unknown}`;
    expect(events[0]?.n).toBe(0n);
  });

  it('takes about as long for an unknown email as for a known one (a shared minimum response time)', async () => {
    const known = uniqueEmail('timing');
    await register(server, { email: known });
    const time = async (email: string): Promise<number> => {
      const started = performance.now();
      await requestReset(email);
      return performance.now() - started;
    };
    const floor = resetMinResponseMs();
    const knownTimes = [await time(known), await time(known), await time(known)];
    const unknownTimes = [await time(uniqueEmail('x')), await time(uniqueEmail('y')), await time(uniqueEmail('z'))];
    for (const ms of [...knownTimes, ...unknownTimes]) expect(ms).toBeGreaterThanOrEqual(floor - 5);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] ?? 0;
    expect(Math.abs(median(knownTimes) - median(unknownTimes))).toBeLessThan(100);
  });

  it('refuses a malformed email with BAD_USER_INPUT (which says nothing about accounts)', async () => {
    const response = await requestReset('not-an-email');
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('email');
    expectNoInternals(response);
  });

  it('is public: no session needed', async () => {
    const response = await requestReset(uniqueEmail());
    expect(response.errors).toBeUndefined();
  });
});

describe('resetPassword', () => {
  it('sets the new password, consumes the token and ends every session', async () => {
    const { session, email, token } = await accountWithResetToken();
    const second = await login(email, STRONG_PASSWORD);
    expect(second.errors).toBeUndefined();

    const response = await resetPassword(token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.resetPassword).toEqual({ success: true });

    expect(errorCode(await login(email, STRONG_PASSWORD))).toBe('INVALID_CREDENTIALS');
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
    // Both sessions that existed before the reset are over.
    for (const refreshToken of [session.refreshToken, second.data?.login.refreshToken ?? '']) {
      const refreshed = await server.gql(REFRESH, { variables: { token: refreshToken } });
      expect(errorCode(refreshed)).toBe('INVALID_REFRESH_TOKEN');
    }
    const [row] = await server.db.$queryRaw<{ used_at: Date | null }[]>`
      SELECT used_at FROM password_reset_tokens WHERE user_id = ${session.user.id}::uuid`;
    expect(row?.used_at).toBeInstanceOf(Date);
  });

  it('works once: a second use is INVALID_RESET_TOKEN', async () => {
    const { token } = await accountWithResetToken();
    expect((await resetPassword(token)).errors).toBeUndefined();
    const again = await resetPassword(token, 'yet-another-pass-9');
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.extensions).toMatchObject({ reason: 'INVALID_RESET_TOKEN', field: 'token' });
    expect(again.errors?.[0]?.message).toMatch(/invalid or has expired/);
    expectNoInternals(again);
  });

  it('refuses an expired token', async () => {
    const { session, email, token } = await accountWithResetToken();
    await server.db.$executeRaw`
      UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${session.user.id}::uuid`;
    const response = await resetPassword(token);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_RESET_TOKEN' });
    expect((await login(email, STRONG_PASSWORD)).errors).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a well-formed token nobody issued', 'A'.repeat(43)],
  ])('refuses %s', async (_label, token) => {
    const response = await resetPassword(token);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_RESET_TOKEN' });
  });

  it('applies the password policy and leaves the token usable', async () => {
    const { email, token } = await accountWithResetToken();
    const weak = await resetPassword(token, 'short1!');
    expect(errorCode(weak)).toBe('WEAK_PASSWORD');
    expect(weak.errors?.[0]?.extensions?.field).toBe('password');
    expect((await login(email, STRONG_PASSWORD)).errors).toBeUndefined();
    expect((await resetPassword(token)).errors).toBeUndefined();
  });

  it('only honours the newest link: a later request voids the earlier token', async () => {
    const { session, email, token: first } = await accountWithResetToken();
    await requestReset(email);
    const events = await resetEvents(session.user.id);
    expect(events).toHaveLength(2);
    const latest = events[1]?.payload.resetToken ?? '';
    expect(latest).not.toBe(first);
    expect(errorCode(await resetPassword(first))).toBe('BAD_USER_INPUT');
    expect((await resetPassword(latest)).errors).toBeUndefined();
  });

  it('lets exactly one of two concurrent uses of a token win', async () => {
    const { email, token } = await accountWithResetToken();
    const results = await Promise.all([resetPassword(token, 'racer-one-pass-1'), resetPassword(token, 'racer-two-pass-2')]);
    const winners = results.filter((response) => !response.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((response) => response.errors).map((r) => r.errors?.[0]?.extensions?.reason)).toEqual([
      'INVALID_RESET_TOKEN',
    ]);
    const winnerPassword = results[0]?.errors ? 'racer-two-pass-2' : 'racer-one-pass-1';
    expect((await login(email, winnerPassword)).errors).toBeUndefined();
  });
});
