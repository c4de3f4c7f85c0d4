import { eventRegistry } from '@commerce/events';
import { errorCode, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEmailChangeToken } from '../src/service/account.service.js';
import { AUTH_FIELDS, expectNoInternals, register, startTestServer, STRONG_PASSWORD, truncateAll, type Session, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
});
afterAll(async () => {
  await server?.stop();
});

const NEW_PASSWORD = 'brand-new-secret-7';

const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ${AUTH_FIELDS} } }`;
const REQUEST_EMAIL_CHANGE = `mutation ($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) { newEmail expiresAt } }`;
const CONFIRM_EMAIL_CHANGE = `mutation ($token: String!) { confirmEmailChange(input: { token: $token }) { email user { id name } } }`;
const DELETE_ACCOUNT = `mutation ($password: String!) { deleteAccount(input: { currentPassword: $password }) { deletedUserId } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($token: String!) { refreshSession(input: { refreshToken: $token }) { ${AUTH_FIELDS} } }`;
const ME = `{ me { id email name } }`;

const login = (email: string, password: string) => server.gql<{ login: Session }>(LOGIN, { variables: { input: { email, password } } });
const refresh = (token: string) => server.gql<{ refreshSession: Session }>(REFRESH, { variables: { token } });
const changePassword = (session: Session, currentPassword: string, newPassword = NEW_PASSWORD) =>
  server.gql<{ changePassword: Session }>(CHANGE_PASSWORD, { token: session.accessToken, variables: { input: { currentPassword, newPassword } } });
const requestEmailChange = (session: Session, newEmail: string, currentPassword = STRONG_PASSWORD) =>
  server.gql<{ requestEmailChange: { newEmail: string; expiresAt: string } }>(REQUEST_EMAIL_CHANGE, {
    token: session.accessToken,
    variables: { input: { newEmail, currentPassword } },
  });
const confirmEmailChange = (token: string, accessToken?: string) =>
  server.gql<{ confirmEmailChange: { email: string; user: { id: string; name: string } } }>(CONFIRM_EMAIL_CHANGE, {
    variables: { token },
    ...(accessToken ? { token: accessToken } : {}),
  });
const deleteAccount = (session: Session, password = STRONG_PASSWORD) =>
  server.gql<{ deleteAccount: { deletedUserId: string } }>(DELETE_ACCOUNT, { token: session.accessToken, variables: { password } });

interface Envelope<P> {
  eventId: string;
  type: string;
  aggregateId: string;
  payload: P;
}

/** Outbox envelopes of one type for a user, oldest first. */
async function events<P>(userId: string, type: string): Promise<Envelope<P>[]> {
  const rows = await server.db.$queryRaw<{ envelope: Envelope<P>; topic: string }[]>`
    SELECT envelope, topic FROM outbox_events WHERE aggregate_id = ${userId} AND event_type = ${type} ORDER BY position`;
  for (const row of rows) {
    expect(row.topic).toBe('commerce.user');
    // Exactly what consumers validate.
    expect(eventRegistry.parseEnvelope(row.envelope).ok).toBe(true);
  }
  return rows.map((row) => row.envelope);
}

interface ChangeRequested {
  userId: string;
  name: string;
  newEmail: string;
  confirmationToken: string;
  expiresAt: string;
}

/** The token as the emailed link carries it: only the event has it. */
async function latestConfirmationToken(userId: string): Promise<string> {
  const token = (await events<ChangeRequested>(userId, 'user.email_change_requested')).at(-1)?.payload.confirmationToken;
  if (!token) throw new Error('no email change event');
  return token;
}

describe('registration event', () => {
  it('carries the email, lower-cased, for consumers that match guest orders to the new account', async () => {
    const email = uniqueEmail('reg');
    const session = await register(server, { email: email.toUpperCase(), name: 'Reg Istered' });
    const [event] = await events<{ email: string; userId: string }>(session.user.id, 'user.registered');
    expect(event?.payload).toMatchObject({ userId: session.user.id, email });
  });
});

describe('changePassword', () => {
  it('requires a session', async () => {
    const response = await server.gql(CHANGE_PASSWORD, { variables: { input: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD } } });
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('refuses a wrong current password with INVALID_CREDENTIALS and a weak new one with WEAK_PASSWORD, changing nothing', async () => {
    const email = uniqueEmail('pw');
    const session = await register(server, { email });
    const wrong = await changePassword(session, 'not-my-password-1');
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    expectNoInternals(wrong);
    const weak = await changePassword(session, STRONG_PASSWORD, 'short');
    expect(errorCode(weak)).toBe('WEAK_PASSWORD');
    expect((await login(email, STRONG_PASSWORD)).errors).toBeUndefined();
    expect((await refresh(session.refreshToken)).errors).toBeUndefined();
  });

  it('sets the password, ends every other session, and hands the caller a fresh one', async () => {
    const email = uniqueEmail('pw');
    const session = await register(server, { email, name: 'Pat Word' });
    const other = (await login(email, STRONG_PASSWORD)).data?.login;
    if (!other) throw new Error('login failed');
    // An open reset link dies with the old password.
    await server.db.passwordResetToken.create({
      data: { userId: session.user.id, tokenHash: 'x'.repeat(43), expiresAt: new Date(Date.now() + 60_000) },
    });

    const response = await changePassword(session, STRONG_PASSWORD);
    expect(response.errors).toBeUndefined();
    const fresh = response.data?.changePassword;
    expect(fresh?.user).toMatchObject({ id: session.user.id, email, name: 'Pat Word' });
    expect(fresh?.refreshToken).not.toBe(session.refreshToken);

    // Both earlier sessions are over; the fresh one works.
    expect(errorCode(await refresh(session.refreshToken))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await refresh(other.refreshToken))).toBe('INVALID_REFRESH_TOKEN');
    expect((await refresh(fresh?.refreshToken ?? '')).errors).toBeUndefined();

    expect(errorCode(await login(email, STRONG_PASSWORD))).toBe('INVALID_CREDENTIALS');
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
    const open = await server.db.passwordResetToken.count({ where: { userId: session.user.id, usedAt: null } });
    expect(open).toBe(0);
  });
});

describe('email change', () => {
  it('requires a session, the current password, a well-formed new address that is free and not the current one', async () => {
    const email = uniqueEmail('ec');
    const session = await register(server, { email });
    const taken = uniqueEmail('taken');
    await register(server, { email: taken });

    const anonymous = await server.gql(REQUEST_EMAIL_CHANGE, { variables: { input: { newEmail: uniqueEmail('x'), currentPassword: STRONG_PASSWORD } } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(errorCode(await requestEmailChange(session, uniqueEmail('x'), 'wrong-password-1'))).toBe('INVALID_CREDENTIALS');
    const malformed = await requestEmailChange(session, 'not-an-email');
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.extensions?.field).toBe('newEmail');
    expect(errorCode(await requestEmailChange(session, email.toUpperCase()))).toBe('BAD_USER_INPUT');
    expect(errorCode(await requestEmailChange(session, taken))).toBe('EMAIL_TAKEN');
    expect(await events(session.user.id, 'user.email_change_requested')).toEqual([]);
  });

  it('stores only the hash of the token, sends it in the event for the NEW address, and switches the email on confirmation', async () => {
    const email = uniqueEmail('ec');
    const session = await register(server, { email, name: 'Eve Change' });
    const newEmail = uniqueEmail('moved');
    const before = Date.now();
    const response = await requestEmailChange(session, ` ${newEmail.toUpperCase()} `);
    expect(response.errors).toBeUndefined();
    expect(response.data?.requestEmailChange.newEmail).toBe(newEmail);
    const expiresAt = Date.parse(response.data?.requestEmailChange.expiresAt ?? '');
    expect(expiresAt - before).toBeGreaterThan(23 * 3600_000);
    expect(expiresAt - before).toBeLessThanOrEqual(24 * 3600_000 + 5_000);

    const [event] = await events<ChangeRequested>(session.user.id, 'user.email_change_requested');
    expect(event?.payload).toMatchObject({ userId: session.user.id, name: 'Eve Change', newEmail });
    const token = event?.payload.confirmationToken ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await server.db.emailChangeToken.findMany({ where: { userId: session.user.id } });
    expect(stored.map((row) => row.tokenHash)).toEqual([hashEmailChangeToken(token)]);
    expect(JSON.stringify(stored)).not.toContain(token);

    // Nothing changes until the link is used.
    expect((await server.ok<{ me: { email: string } }>(ME, { token: session.accessToken })).me.email).toBe(email);

    // No session needed: the link may be opened anywhere. Private fields stay private.
    const confirmed = await confirmEmailChange(token);
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data?.confirmEmailChange).toEqual({ email: newEmail, user: { id: session.user.id, name: 'Eve Change' } });
    expect((await server.ok<{ me: { email: string } }>(ME, { token: session.accessToken })).me.email).toBe(newEmail);
    expect((await login(newEmail, STRONG_PASSWORD)).errors).toBeUndefined();
    expect(errorCode(await login(email, STRONG_PASSWORD))).toBe('INVALID_CREDENTIALS');
    // Sessions stay, and the next access token carries the new email.
    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.data?.refreshSession.user.email).toBe(newEmail);

    const [changed, ...more] = await events<Record<string, string>>(session.user.id, 'user.email_changed');
    expect(more).toEqual([]);
    expect(changed?.payload).toMatchObject({ userId: session.user.id, email: newEmail, previousEmail: email, name: 'Eve Change' });

    // Single use.
    const again = await confirmEmailChange(token);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.extensions?.reason).toBe('INVALID_EMAIL_CHANGE_TOKEN');
    // The old address is free for a new account.
    await register(server, { email });
  });

  it('answers INVALID_EMAIL_CHANGE_TOKEN for unknown, malformed, superseded and expired tokens', async () => {
    const session = await register(server, { email: uniqueEmail('ec') });
    await requestEmailChange(session, uniqueEmail('first'));
    const first = await latestConfirmationToken(session.user.id);
    await requestEmailChange(session, uniqueEmail('second'));
    const second = await latestConfirmationToken(session.user.id);
    await server.db.emailChangeToken.updateMany({
      where: { tokenHash: hashEmailChangeToken(second) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    for (const token of [first, second, 'garbage', 'A'.repeat(43)]) {
      const response = await confirmEmailChange(token);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions).toMatchObject({ reason: 'INVALID_EMAIL_CHANGE_TOKEN', field: 'token' });
      expectNoInternals(response);
    }
  });

  it('answers EMAIL_TAKEN when another account took the address in the meantime, and keeps the email', async () => {
    const email = uniqueEmail('ec');
    const session = await register(server, { email });
    const wanted = uniqueEmail('wanted');
    await requestEmailChange(session, wanted);
    const token = await latestConfirmationToken(session.user.id);
    await register(server, { email: wanted });
    expect(errorCode(await confirmEmailChange(token))).toBe('EMAIL_TAKEN');
    expect((await server.ok<{ me: { email: string } }>(ME, { token: session.accessToken })).me.email).toBe(email);
  });

  it('lets one of two concurrent confirmations win', async () => {
    const session = await register(server, { email: uniqueEmail('ec') });
    await requestEmailChange(session, uniqueEmail('race'));
    const token = await latestConfirmationToken(session.user.id);
    const results = await Promise.all([confirmEmailChange(token), confirmEmailChange(token)]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(await events(session.user.id, 'user.email_changed')).toHaveLength(1);
  });

  it('voids open email-change links when the password changes', async () => {
    const session = await register(server, { email: uniqueEmail('ec') });
    await requestEmailChange(session, uniqueEmail('pending'));
    const token = await latestConfirmationToken(session.user.id);
    expect((await changePassword(session, STRONG_PASSWORD)).errors).toBeUndefined();
    expect(errorCode(await confirmEmailChange(token))).toBe('BAD_USER_INPUT');
  });
});

describe('deleteAccount', () => {
  it('requires a session and the current password', async () => {
    const session = await register(server, { email: uniqueEmail('del') });
    expect(errorCode(await server.gql(DELETE_ACCOUNT, { variables: { password: STRONG_PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await deleteAccount(session, 'wrong-password-1'))).toBe('INVALID_CREDENTIALS');
    expect((await server.ok<{ me: { id: string } }>(ME, { token: session.accessToken })).me.id).toBe(session.user.id);
  });

  it('deletes the account with its address book and sessions, writes user.deleted, and frees the email', async () => {
    const email = uniqueEmail('del');
    const session = await register(server, { email });
    await server.ok(
      `mutation { createAddress(input: { fullName: "Del Me", line1: "1 Main St", city: "Springfield", postalCode: "12345", countryCode: "US" }) { id } }`,
      { token: session.accessToken },
    );
    await requestEmailChange(session, uniqueEmail('never'));

    const response = await deleteAccount(session);
    expect(response.errors).toBeUndefined();
    expect(response.data?.deleteAccount).toEqual({ deletedUserId: session.user.id });

    expect(await server.db.user.count({ where: { id: session.user.id } })).toBe(0);
    expect(await server.db.address.count({ where: { userId: session.user.id } })).toBe(0);
    expect(await server.db.refreshToken.count({ where: { userId: session.user.id } })).toBe(0);
    expect(await server.db.emailChangeToken.count({ where: { userId: session.user.id } })).toBe(0);

    const [event, ...more] = await events<{ userId: string; deletedAt: string }>(session.user.id, 'user.deleted');
    expect(more).toEqual([]);
    expect(Object.keys(event?.payload ?? {}).sort()).toEqual(['deletedAt', 'userId']);
    expect(event?.payload.userId).toBe(session.user.id);

    // The still-valid access token names nobody; sessions are gone; references resolve to null.
    expect((await server.ok<{ me: unknown }>(ME, { token: session.accessToken })).me).toBeNull();
    expect(errorCode(await refresh(session.refreshToken))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await login(email, STRONG_PASSWORD))).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await deleteAccount(session))).toBe('NOT_FOUND');
    const entities = await server.ok<{ _entities: unknown[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
      { variables: { r: [{ __typename: 'User', id: session.user.id }] } },
    );
    expect(entities._entities).toEqual([null]);

    // The email can start a new account (a new id).
    const again = await register(server, { email });
    expect(again.user.id).not.toBe(session.user.id);
  });
});
