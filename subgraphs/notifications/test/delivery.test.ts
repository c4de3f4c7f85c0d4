/**
 * The delivery log and the dispatcher: retries with exponential backoff,
 * final failure, recovery, one message per (event, channel, recipient),
 * several dispatchers racing (FOR UPDATE SKIP LOCKED), and leases.
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createEventContext, type EventContext } from '@commerce/events';
import { createLogger } from '@commerce/observability';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannel, OutgoingMessage } from '../src/channels/channel.js';
import type { NotificationsTx } from '../src/data/prisma.js';
import { startDispatcher } from '../src/service/dispatcher.js';
import {
  deliveriesFor,
  newUser,
  settled,
  startHarness,
  TEST_DISPATCHER,
  truncateAll,
  until,
  userRegistered,
  type Harness,
} from './support/harness.js';

const silent = createLogger({ service: 'notifications-test', level: 'silent' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on: connecting is refused, like a mail server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('when the mail server is down', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ smtpPort: await closedPort() });
    await truncateAll(harness.db);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('retries with backoff, then marks the email FAILED; the in-app notification is unaffected', async () => {
    const event = userRegistered(newUser());
    await harness.apply(event);
    const rows = await settled(harness.db, event.eventId, 15_000);
    const email = rows.find((row) => row.channel === 'EMAIL');
    expect(email).toMatchObject({ status: 'FAILED', attempts: TEST_DISPATCHER.maxAttempts, sentAt: null });
    expect(email?.failedAt).toBeInstanceOf(Date);
    expect(email?.lastError).toMatch(/ECONNREFUSED/);
    expect(rows.find((row) => row.channel === 'IN_APP')).toMatchObject({ status: 'SENT', attempts: 1 });
    // The failed attempts were logged, the final one as an error.
    const failures = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.deliveryId === email?.id && line.outcome);
    expect(failures.map((line) => line.outcome)).toEqual(['RETRYING', 'RETRYING', 'RETRYING', 'FAILED']);
  });
});

describe('with a mail server that refuses for a while', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await truncateAll(harness.db);
  });
  afterEach(() => {
    harness.smtp.reject = null;
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('waits longer before each retry (exponential backoff) and gives up after maxAttempts', async () => {
    harness.smtp.reject = 'Service temporarily unavailable';
    const before = harness.smtp.connections.length;
    const event = userRegistered(newUser());
    await harness.apply(event);
    const rows = await settled(harness.db, event.eventId, 15_000);
    expect(rows.find((row) => row.channel === 'EMAIL')).toMatchObject({ status: 'FAILED', attempts: 4 });
    expect(rows.find((row) => row.channel === 'EMAIL')?.lastError).toMatch(/421|temporarily unavailable/i);

    const times = harness.smtp.connections.slice(before).map((date) => date.getTime());
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    // Backoff 150 ms doubling, with up to half of it jitter: ≥75, ≥150, ≥300 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(70);
    expect(gaps[1]).toBeGreaterThanOrEqual(145);
    expect(gaps[2]).toBeGreaterThanOrEqual(295);
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? 0);
  });

  it('sends once the server accepts again, and records the attempts it took', async () => {
    harness.smtp.reject = 'Try again later';
    const before = harness.smtp.connections.length;
    const user = newUser();
    const event = userRegistered(user);
    await harness.apply(event);
    await until(async () => (harness.smtp.connections.length - before >= 2 ? true : undefined), 10_000, 'two refused attempts');
    const retrying = (await deliveriesFor(harness.db, event.eventId)).find((row) => row.channel === 'EMAIL');
    expect(retrying).toMatchObject({ status: 'RETRYING' });
    expect(retrying?.lastError).toMatch(/Try again later/);
    expect(retrying?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() - 50);
    harness.smtp.reject = null;

    const mail = await harness.smtp.waitForMailTo(user.email);
    const email = (await settled(harness.db, event.eventId)).find((row) => row.channel === 'EMAIL');
    expect(email).toMatchObject({ status: 'SENT', lastError: null });
    expect(email?.attempts).toBeGreaterThanOrEqual(3);
    expect(mail.messageId).toBe(`<${email?.id}@shop.example.test>`);
  });
});

describe('one event, one message', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await truncateAll(harness.db);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('ignores a redelivered event (processed_events)', async () => {
    const user = newUser();
    const event = userRegistered(user);
    expect(await harness.apply(event)).toBe('handled');
    expect(await harness.apply(event)).toBe('duplicate');
    await harness.smtp.waitForMailTo(user.email);
    await settled(harness.db, event.eventId);
    await pause(300);
    expect(harness.smtp.to(user.email)).toHaveLength(1);
    expect(await harness.db.notification.count({ where: { userId: user.userId } })).toBe(1);
  });

  it('sends once even when the same event is handled twice (a replay under another consumer group)', async () => {
    const user = newUser();
    const event = userRegistered(user);
    const handler = harness.runtime.handlers['user.registered'] as unknown as (ctx: EventContext<NotificationsTx>, e: typeof event) => Promise<void>;
    const handle = (e: typeof event, tx: NotificationsTx) => handler(createEventContext({ tx, envelope: e, group: 'notifications-replay', logger: silent }), e);
    await Promise.all([
      harness.db.$transaction((tx) => handle(event, tx)),
      harness.db.$transaction((tx) => handle(event, tx)),
    ]);
    await harness.smtp.waitForMailTo(user.email);
    const rows = await settled(harness.db, event.eventId);
    expect(rows.map((row) => row.channel)).toEqual(['EMAIL', 'IN_APP']);
    await pause(300);
    expect(harness.smtp.to(user.email)).toHaveLength(1);
  });

  it('fails a delivery whose stored message is unusable at once, without retrying', async () => {
    const [row] = await harness.db.delivery.createManyAndReturn({
      data: [{ eventId: randomUUID(), eventType: 'user.registered', type: 'WELCOME', channel: 'EMAIL', recipient: 'broken@example.test', content: { nonsense: true } }],
    });
    const done = await until(async () => {
      const current = await harness.db.delivery.findUnique({ where: { id: row?.id ?? '' } });
      return current?.status === 'FAILED' ? current : undefined;
    });
    expect(done).toMatchObject({ attempts: 1, lastError: 'PermanentDeliveryError: stored email content is malformed' });
  });
});

describe('several dispatchers', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ dispatcher: false });
    await truncateAll(harness.db);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  /** An in-memory channel that records each send and takes `delayMs`. */
  function recordingChannel(sent: string[], delayMs: number, name: string): NotificationChannel {
    return {
      kind: 'PUSH',
      async send(message: OutgoingMessage) {
        await pause(delayMs);
        sent.push(`${name}:${message.deliveryId}`);
        return { providerMessageId: `${name}-${message.deliveryId}` };
      },
    };
  }

  async function pushDeliveries(count: number): Promise<string[]> {
    const rows = await harness.db.delivery.createManyAndReturn({
      data: Array.from({ length: count }, () => ({
        eventId: randomUUID(),
        eventType: 'order.status_changed',
        type: 'ORDER_SHIPPED' as const,
        channel: 'PUSH' as const,
        recipient: randomUUID(),
        content: { title: 'Shipped', body: 'On its way', link: null, orderId: null },
      })),
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  it('never send the same delivery twice when they race (FOR UPDATE SKIP LOCKED)', async () => {
    const sent: string[] = [];
    const ids = await pushDeliveries(60);
    const dispatchers = ['a', 'b', 'c'].map((name) =>
      startDispatcher({
        prisma: harness.db,
        channels: { PUSH: recordingChannel(sent, 5, name) },
        settings: { ...TEST_DISPATCHER, batchSize: 7, concurrency: 3 },
        logger: silent,
      }),
    );
    try {
      await until(async () => ((await harness.db.delivery.count({ where: { id: { in: ids }, status: 'SENT' } })) === ids.length ? true : undefined));
    } finally {
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    }
    const sentIds = sent.map((entry) => entry.split(':')[1]);
    expect(sentIds).toHaveLength(60);
    expect(new Set(sentIds).size).toBe(60);
    // The work was shared.
    expect(new Set(sent.map((entry) => entry.split(':')[0])).size).toBeGreaterThan(1);
    const rows = await harness.db.delivery.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.attempts === 1 && row.providerMessageId?.endsWith(row.id))).toBe(true);
  });

  it('lets another instance take over a delivery whose lease ran out; the late outcome changes nothing', async () => {
    const [id] = await pushDeliveries(1);
    const slow: string[] = [];
    const fast: string[] = [];
    // A claims and hangs past its 200 ms lease (a stuck or dead instance).
    const stuck = startDispatcher({
      prisma: harness.db,
      channels: { PUSH: recordingChannel(slow, 800, 'stuck') },
      settings: { ...TEST_DISPATCHER, leaseMs: 200 },
      logger: silent,
      loop: false,
    });
    const stuckRound = stuck.runOnce();
    await until(async () => ((await harness.db.delivery.findUnique({ where: { id } }))?.attempts === 1 ? true : undefined));
    // B finds nothing while the lease holds, then takes the delivery over.
    const healthy = startDispatcher({ prisma: harness.db, channels: { PUSH: recordingChannel(fast, 0, 'healthy') }, settings: TEST_DISPATCHER, logger: silent, loop: false });
    expect(await healthy.runOnce()).toBe(0);
    await pause(250);
    expect(await healthy.runOnce()).toBe(1);
    await stuckRound;

    const row = await harness.db.delivery.findUnique({ where: { id } });
    expect(row).toMatchObject({ status: 'SENT', attempts: 2, providerMessageId: `healthy-${id}` });
    // Both sent: the documented at-least-once window (a dead instance cannot tell whether it sent).
    expect(slow).toEqual([`stuck:${id}`]);
    expect(fast).toEqual([`healthy:${id}`]);
  });
});
