/**
 * Notification preferences: reading and changing them through GraphQL (the
 * signed-in user only), and their effect on what is sent.
 */
import { randomBytes } from 'node:crypto';
import { errorCode, tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveriesFor,
  newOrder,
  newUser,
  orderPlaced,
  passwordResetRequested,
  settled,
  startHarness,
  statusChanged,
  truncateAll,
  userRegistered,
  type Harness,
} from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await truncateAll(harness.db);
});
afterAll(async () => {
  await harness?.stop();
});

const PREFERENCES = `{ notificationPreferences { channels { channel enabled } types { type enabled locked } updatedAt } }`;
const UPDATE = `mutation ($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { channels { channel enabled } types { type enabled locked } updatedAt }
}`;

interface Preferences {
  channels: { channel: string; enabled: boolean }[];
  types: { type: string; enabled: boolean; locked: boolean }[];
  updatedAt: string | null;
}

const update = (token: string, input: Record<string, unknown>) =>
  harness.gql<{ updateNotificationPreferences: Preferences }>(UPDATE, { token, variables: { input } });

const enabledChannels = (p: Preferences | undefined) => p?.channels.filter((c) => c.enabled).map((c) => c.channel);
const disabledTypes = (p: Preferences | undefined) => p?.types.filter((t) => !t.enabled).map((t) => t.type);

describe('notificationPreferences', () => {
  it('starts with everything on, password resets locked', async () => {
    const { token } = await tokenFor();
    const data = await harness.ok<{ notificationPreferences: Preferences }>(PREFERENCES, { token });
    expect(data.notificationPreferences).toEqual({
      channels: [
        { channel: 'EMAIL', enabled: true },
        { channel: 'SMS', enabled: true },
        { channel: 'PUSH', enabled: true },
        { channel: 'IN_APP', enabled: true },
      ],
      types: [
        { type: 'WELCOME', enabled: true, locked: false },
        { type: 'PASSWORD_RESET', enabled: true, locked: true },
        { type: 'ORDER_CONFIRMED', enabled: true, locked: false },
        { type: 'PAYMENT_FAILED', enabled: true, locked: false },
        { type: 'ORDER_SHIPPED', enabled: true, locked: false },
        { type: 'ORDER_DELIVERED', enabled: true, locked: false },
        { type: 'ORDER_REFUNDED', enabled: true, locked: false },
        { type: 'EMAIL_CHANGE_CONFIRMATION', enabled: true, locked: true },
        { type: 'EMAIL_CHANGED', enabled: true, locked: true },
      ],
      updatedAt: null,
    });
  });

  it('switches channels and types, leaving the rest as it was', async () => {
    const { token } = await tokenFor();
    const first = await update(token, { channels: [{ channel: 'SMS', enabled: false }], types: [{ type: 'ORDER_SHIPPED', enabled: false }] });
    expect(first.errors).toBeUndefined();
    expect(enabledChannels(first.data?.updateNotificationPreferences)).toEqual(['EMAIL', 'PUSH', 'IN_APP']);
    expect(disabledTypes(first.data?.updateNotificationPreferences)).toEqual(['ORDER_SHIPPED']);
    expect(first.data?.updateNotificationPreferences.updatedAt).toMatch(/Z$/);

    const second = await update(token, { channels: [{ channel: 'PUSH', enabled: false }, { channel: 'SMS', enabled: true }] });
    expect(enabledChannels(second.data?.updateNotificationPreferences)).toEqual(['EMAIL', 'SMS', 'IN_APP']);
    expect(disabledTypes(second.data?.updateNotificationPreferences)).toEqual(['ORDER_SHIPPED']);

    const read = await harness.ok<{ notificationPreferences: Preferences }>(PREFERENCES, { token });
    expect(read.notificationPreferences).toEqual(second.data?.updateNotificationPreferences);
  });

  it('applies concurrent updates one after the other', async () => {
    const { token } = await tokenFor();
    const types = ['WELCOME', 'ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'ORDER_REFUNDED'];
    const responses = await Promise.all(types.map((type) => update(token, { types: [{ type, enabled: false }] })));
    expect(responses.map((response) => response.errors)).toEqual(types.map(() => undefined));
    const read = await harness.ok<{ notificationPreferences: Preferences }>(PREFERENCES, { token });
    expect(disabledTypes(read.notificationPreferences)).toEqual(types);
  });

  it('refuses to switch off password resets', async () => {
    const { token } = await tokenFor();
    const response = await update(token, { types: [{ type: 'PASSWORD_RESET', enabled: false }] });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/always sent/);
  });

  it('belongs to the signed-in user: anonymous callers are refused', async () => {
    expect(errorCode(await harness.gql(PREFERENCES))).toBe('UNAUTHENTICATED');
    expect(errorCode(await harness.gql(UPDATE, { variables: { input: { channels: [] } } }))).toBe('UNAUTHENTICATED');
  });

  it("cannot be pointed at another user's preferences (there is no argument for it)", async () => {
    const response = await harness.gql(`{ notificationPreferences(userId: "x") { updatedAt } }`, { token: (await tokenFor()).token });
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('preferences decide what is sent', () => {
  /** A registered user (welcome delivered) with a token and the given switches. */
  async function userWith(input: Record<string, unknown>) {
    const user = newUser();
    const registered = userRegistered(user);
    await harness.apply(registered);
    await settled(harness.db, registered.eventId);
    const { token } = await tokenFor({ userId: user.userId });
    expect((await update(token, input)).errors).toBeUndefined();
    return user;
  }

  async function confirmOrder(userId: string) {
    const order = newOrder(userId);
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);
    return event;
  }

  it('a switched-off type sends nothing at all', async () => {
    const user = await userWith({ types: [{ type: 'ORDER_CONFIRMED', enabled: false }] });
    const event = await confirmOrder(user.userId);
    expect(await deliveriesFor(harness.db, event.eventId)).toEqual([]);
    // Other types still go out.
    const order = newOrder(user.userId);
    const shipped = statusChanged(order, 'FULFILLED', 'SHIPPED');
    await harness.apply(shipped);
    expect((await settled(harness.db, shipped.eventId)).map((row) => row.channel)).toEqual(['EMAIL', 'PUSH', 'IN_APP']);
  });

  it('a switched-off channel is skipped for every type', async () => {
    const user = await userWith({ channels: [{ channel: 'EMAIL', enabled: false }, { channel: 'PUSH', enabled: false }] });
    const before = harness.smtp.to(user.email).length;
    const event = await confirmOrder(user.userId);
    const rows = await settled(harness.db, event.eventId);
    expect(rows.map((row) => row.channel)).toEqual(['IN_APP']);
    expect(harness.smtp.to(user.email)).toHaveLength(before);
  });

  it('password reset emails go out even with email and every type switched off', async () => {
    const user = await userWith({
      channels: [{ channel: 'EMAIL', enabled: false }],
      types: ['WELCOME', 'ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'ORDER_REFUNDED'].map((type) => ({ type, enabled: false })),
    });
    const token = randomBytes(32).toString('base64url');
    const event = passwordResetRequested(user, token);
    await harness.apply(event);
    const mail = await harness.smtp.waitFor((m) => m.envelope.to.includes(user.email) && m.subject === 'Reset your Commerce password');
    expect(mail.text).toContain(token);
    expect((await settled(harness.db, event.eventId)).map((row) => [row.channel, row.status])).toEqual([['EMAIL', 'SENT']]);
  });
});
