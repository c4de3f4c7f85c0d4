/**
 * The consumer on a real Kafka broker: events published to the user and
 * order topics become emails on the test mail server; a message published
 * twice is handled once; and a mail server that refuses does not hold up
 * consumption (the consumer only records deliveries; the dispatcher sends).
 */
import { randomUUID } from 'node:crypto';
import { kafkaBrokers } from '@commerce/config';
import { eventRegistry, kafkaGroupId, type EventEnvelope } from '@commerce/events';
import { startGroupAtEnd } from '@commerce/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveriesFor,
  newOrder,
  newUser,
  orderPlaced,
  orderRefunded,
  settled,
  startHarness,
  statusChanged,
  truncateAll,
  until,
  userRegistered,
  type Harness,
} from './support/harness.js';

const group = `notifications-test-${randomUUID()}`;
let harness: Harness;
let producer: Producer;

/** Publishes an envelope the way the outbox relay does: keyed by aggregate, with the event headers. */
async function publish(event: EventEnvelope): Promise<void> {
  const topic = eventRegistry.topicOf(event.type);
  if (!topic) throw new Error(`no topic for ${event.type}`);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: event.aggregateId,
        value: JSON.stringify(event),
        headers: { 'event-type': event.type, 'event-id': event.eventId, 'event-version': String(event.version), 'content-type': 'application/json' },
      },
    ],
  });
}

const processed = async (eventId: string): Promise<boolean> =>
  (await harness.db.processedEvent.count({ where: { consumer: group, eventId } })) === 1;

beforeAll(async () => {
  const kafka = new Kafka({ clientId: 'notifications-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Every topic the consumer reads (users, orders, order status) starts exactly
  // at its current end: events published from here on are all consumed.
  const topics = ['user.registered', 'order.placed', 'order.status_changed', 'order.cancelled'].map((type) => eventRegistry.topicOf(type) ?? type);
  await startGroupAtEnd(kafkaGroupId(group), topics);
  harness = await startHarness({ consumerGroup: group });
  await truncateAll(harness.db);
  expect(await harness.runtime.consumer).toBeDefined();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await producer?.disconnect();
});

describe('notifications consumer (Kafka)', () => {
  it('turns user.registered into a welcome email', async () => {
    const user = newUser('Kafka Reader');
    const event = userRegistered(user);
    await publish(event);
    const mail = await harness.smtp.waitForMailTo(user.email, 20_000);
    expect(mail.subject).toBe('Welcome to Commerce, Kafka Reader!');
    expect(await processed(event.eventId)).toBe(true);
  });

  it('handles a message published twice once: one email', async () => {
    const user = newUser();
    const event = userRegistered(user);
    await publish(event);
    await publish(event);
    await harness.smtp.waitForMailTo(user.email, 20_000);
    await settled(harness.db, event.eventId);
    // A later event on the same partition (same key) proves the duplicate was consumed too.
    const later = userRegistered({ ...user, name: 'Renamed' }, { occurredAt: new Date(Date.now() - 7 * 24 * 60 * 60 * 1000) });
    await publish(later);
    await until(async () => ((await processed(later.eventId)) ? true : undefined), 20_000);
    expect(harness.smtp.to(user.email)).toHaveLength(1);
    expect(await deliveriesFor(harness.db, event.eventId)).toHaveLength(2);
  });

  it('renders the order from order.placed in the confirmation', async () => {
    const user = newUser();
    const registered = userRegistered(user);
    await publish(registered);
    // The address comes from user.registered on another topic: a shopper signs up before ordering.
    await until(async () => ((await processed(registered.eventId)) ? true : undefined), 20_000);
    const order = newOrder(user.userId, 'USD');
    await publish(orderPlaced(order));
    await publish(statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED'));
    const mail = await harness.smtp.waitFor((m) => m.envelope.to.includes(user.email) && m.subject === 'Your order is confirmed', 20_000);
    expect(mail.text).toContain('2 × Trail Running Shoe (SHOE-42) @ $49.99 = $99.98');
    expect(mail.text).toContain('Total: $129.99');
  });

  it('emails each refund once: a partial refund published twice is one email; a full one with its REFUNDED status change is one more', async () => {
    const user = newUser();
    const registered = userRegistered(user);
    await publish(registered);
    await until(async () => ((await processed(registered.eventId)) ? true : undefined), 20_000);
    const order = { ...newOrder(user.userId, 'USD'), orderNumber: '100654' };
    await publish(orderPlaced(order));
    const partial = orderRefunded(order, { amountMinor: 2999, fullyRefunded: false });
    await publish(partial);
    await publish(partial);
    const full = orderRefunded(order, { amountMinor: 10000, fullyRefunded: true });
    const status = statusChanged(order, 'DELIVERED', 'REFUNDED');
    await publish(full);
    await publish(status);

    const partialMail = await harness.smtp.waitFor((m) => m.envelope.to.includes(user.email) && m.subject === 'A partial refund is on its way', 20_000);
    expect(partialMail.text).toContain('We refunded $29.99 of your order');
    expect(partialMail.text).toContain('Order #100654');
    const fullMail = await harness.smtp.waitFor((m) => m.envelope.to.includes(user.email) && m.subject === 'Your refund is on its way', 20_000);
    expect(fullMail.text).toContain('We refunded $100.00 to your payment method. Your order is now refunded in full.');
    // Everything consumed (the duplicate of the partial refund precedes the full one on its partition).
    await until(async () => ((await processed(full.eventId)) && (await processed(status.eventId)) ? true : undefined), 20_000);
    await settled(harness.db, (full.payload as { refundRequestId: string }).refundRequestId);
    expect(harness.smtp.to(user.email).map((m) => m.subject).filter((subject) => subject.includes('refund'))).toEqual([
      'A partial refund is on its way',
      'Your refund is on its way',
    ]);
    expect(await deliveriesFor(harness.db, status.eventId)).toEqual([]);
  });

  it('keeps consuming while the mail server refuses; the emails follow once it accepts', async () => {
    harness.smtp.reject = 'Down for maintenance';
    try {
      const users = [newUser(), newUser(), newUser()];
      const events = users.map((user) => userRegistered(user));
      for (const event of events) await publish(event);
      // Every event is consumed (and its in-app notification delivered) while email waits.
      for (const event of events) await until(async () => ((await processed(event.eventId)) ? true : undefined), 20_000);
      const emails = await until(async () => {
        const rows = (await Promise.all(events.map((event) => deliveriesFor(harness.db, event.eventId)))).flat().filter((row) => row.channel === 'EMAIL');
        return rows.length === 3 && rows.some((row) => row.status === 'RETRYING') ? rows : undefined;
      });
      expect(emails.every((row) => row.status !== 'SENT')).toBe(true);
      harness.smtp.reject = null;
      for (const user of users) await harness.smtp.waitForMailTo(user.email, 20_000);
    } finally {
      harness.smtp.reject = null;
    }
  });
});
