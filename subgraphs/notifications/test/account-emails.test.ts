/**
 * Account-change events from users, end to end from the handler to a real
 * SMTP server: the email-change confirmation link (to the NEW address), the
 * security notice to the previous address, and forgetting a deleted user.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { UserDeleted, UserEmailChanged, UserEmailChangeRequested } from '@commerce/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveriesFor,
  envelope,
  newOrder,
  newUser,
  orderPlaced,
  settled,
  startHarness,
  statusChanged,
  STOREFRONT_URL,
  truncateAll,
  userRegistered,
  type Harness,
  type TestUser,
  until,
} from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await truncateAll(harness.db);
});
afterAll(async () => {
  await harness?.stop();
});

async function registeredUser(name?: string): Promise<TestUser> {
  const user = newUser(name);
  await harness.apply(userRegistered(user));
  await harness.smtp.waitForMailTo(user.email);
  return user;
}

const emailChangeRequested = (user: TestUser, newEmail: string, confirmationToken: string, expiresAt = new Date(Date.now() + 24 * 3600_000)) =>
  envelope(UserEmailChangeRequested, user.userId, { userId: user.userId, name: user.name, newEmail, confirmationToken, expiresAt: expiresAt.toISOString() });

const emailChanged = (user: TestUser, email: string) =>
  envelope(UserEmailChanged, user.userId, { userId: user.userId, name: user.name, email, previousEmail: user.email, changedAt: new Date().toISOString() });

const userDeleted = (user: TestUser) => envelope(UserDeleted, user.userId, { userId: user.userId, deletedAt: new Date().toISOString() });

const newAddress = (): string => `moved-${randomBytes(4).toString('hex')}@example.test`;

describe('email change confirmation', () => {
  it('emails the link with the token to the NEW address only, keeps the contact, and never logs or keeps the token', async () => {
    const user = await registeredUser('Eve Change');
    const newEmail = newAddress();
    const token = randomBytes(32).toString('base64url');
    const event = emailChangeRequested(user, newEmail.toUpperCase(), token);
    expect(await harness.apply(event)).toBe('handled');

    await settled(harness.db, event.eventId);
    const mail = await harness.smtp.waitFor((m) => m.envelope.to.includes(newEmail) && m.subject === 'Confirm your new Commerce email address');
    const link = `${STOREFRONT_URL}/account/confirm-email?token=${token}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain(newEmail);
    expect(mail.text).toMatch(/next (23|24) hours/);
    // Nothing went to the current address, and the contact still has it: the new one is unconfirmed.
    expect(harness.smtp.to(user.email).map((m) => m.subject)).not.toContain('Confirm your new Commerce email address');
    expect(await harness.db.userContact.findUnique({ where: { userId: user.userId } })).toMatchObject({ email: user.email });

    const rows = await deliveriesFor(harness.db, event.eventId);
    expect(rows.map((row) => [row.channel, row.recipient])).toEqual([['EMAIL', newEmail]]);
    expect(rows[0]?.content).toBeNull();
    expect(harness.logs.join('\n')).not.toContain(token);
  });

  it('is sent whatever the preferences say', async () => {
    const user = await registeredUser();
    await harness.db.notificationPreference.create({
      data: { userId: user.userId, disabledChannels: ['EMAIL'], disabledTypes: ['EMAIL_CHANGE_CONFIRMATION', 'EMAIL_CHANGED'] },
    });
    const event = emailChangeRequested(user, newAddress(), randomBytes(32).toString('base64url'));
    await harness.apply(event);
    expect((await settled(harness.db, event.eventId)).map((row) => row.status)).toEqual(['SENT']);
  });

  it('does not send a link that has already expired', async () => {
    const user = await registeredUser();
    const event = emailChangeRequested(user, newAddress(), randomBytes(32).toString('base64url'), new Date(Date.now() - 1_000));
    await harness.apply(event);
    expect(await deliveriesFor(harness.db, event.eventId)).toEqual([]);
  });
});

describe('email changed', () => {
  it('updates the contact, so later emails go to the new address, and warns the previous address', async () => {
    const user = await registeredUser('Moe Ved');
    const newEmail = newAddress();
    const event = emailChanged(user, newEmail);
    await harness.apply(event);

    const notice = await harness.smtp.waitFor((m) => m.envelope.to.includes(user.email) && m.subject === 'Your Commerce email address was changed');
    expect(notice.text).toContain(newEmail);
    expect(notice.html).toContain(`href="${STOREFRONT_URL}/account"`);
    expect(await harness.db.userContact.findUnique({ where: { userId: user.userId } })).toMatchObject({ email: newEmail, name: 'Moe Ved' });

    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const confirmed = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(confirmed);
    const rows = await settled(harness.db, confirmed.eventId);
    expect(rows.find((row) => row.channel === 'EMAIL')?.recipient).toBe(newEmail);
  });
});

describe('user deleted', () => {
  it('forgets the contact, preferences and inbox, and cancels what was still to be sent', async () => {
    const user = await registeredUser('Del Eted');
    await until(async () => ((await harness.db.notification.count({ where: { userId: user.userId } })) > 0 ? true : undefined), 10_000, 'welcome in the inbox');
    await harness.db.notificationPreference.create({ data: { userId: user.userId, disabledChannels: ['SMS'], disabledTypes: [] } });
    // A delivery that has not gone out yet (due in an hour).
    const pending = await harness.db.delivery.create({
      data: {
        eventId: randomUUID(),
        eventType: 'order.status_changed',
        type: 'ORDER_SHIPPED',
        channel: 'EMAIL',
        recipient: user.email,
        userId: user.userId,
        content: { subject: 's', text: 't', html: 'h' },
        nextAttemptAt: new Date(Date.now() + 3600_000),
      },
    });

    expect(await harness.apply(userDeleted(user))).toBe('handled');
    expect(await harness.db.userContact.findUnique({ where: { userId: user.userId } })).toBeNull();
    expect(await harness.db.notificationPreference.findUnique({ where: { userId: user.userId } })).toBeNull();
    expect(await harness.db.notification.count({ where: { userId: user.userId } })).toBe(0);
    expect(await harness.db.delivery.findUnique({ where: { id: pending.id } })).toMatchObject({ status: 'FAILED', lastError: 'account deleted', content: null });

    // Later order news reaches nobody by email: the address is gone.
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const confirmed = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(confirmed);
    expect((await deliveriesFor(harness.db, confirmed.eventId)).map((row) => row.channel)).not.toContain('EMAIL');
  });
});
