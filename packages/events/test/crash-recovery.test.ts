/**
 * Issue 13: a consumer process that crashes and restarts processes again
 * within seconds, and a crash between the side effect and the offset commit
 * is harmless. Real child processes (crash/consumer-child.ts), real Kafka
 * (a per-run topic and group), the scratch database of the other events tests.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventRegistry, defineEvent, kafkaGroupId, KafkaLogLevel, startConsumer } from '../src/index.js';
import { consumerInstanceId } from '../src/group-membership.js';
import { ChildConsumer, createRunTopic, killAndRestart, Ticker } from './crash/crash-lab.js';
import { kafka, PgPrisma, prepareDatabase, testDatabaseUrl, waitFor } from './helpers.js';

const run = randomUUID().slice(0, 8);
let producer: Producer;
let prisma: PgPrisma;
const children: ChildConsumer[] = [];
const topics: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  await prepareDatabase();
  prisma = new PgPrisma(testDatabaseUrl());
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterEach(async () => {
  const running = children.splice(0);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => child.exited));
});

afterAll(async () => {
  await producer?.disconnect();
  await prisma?.$disconnect();
  for (const topic of topics) await topic.remove();
});

/** Effect rows per event id of `group`. */
async function effectCounts(group: string): Promise<Map<string, number>> {
  const rows = await prisma.query<{ event_id: string; n: string }>(
    'SELECT event_id::text AS event_id, count(*) AS n FROM test_effects WHERE consumer = $1 GROUP BY event_id',
    [group],
  );
  return new Map(rows.map((row) => [row.event_id, Number(row.n)]));
}

async function expectExactlyOnce(group: string, ids: string[]): Promise<void> {
  await waitFor(async () => (await effectCounts(group)).size >= ids.length, 20_000, 'every event to have its effect');
  const counts = await effectCounts(group);
  expect([...counts.keys()].sort()).toEqual([...ids].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

describe('consumer crash recovery', () => {
  it('a consumer SIGKILLed mid-stream and restarted commits events again within 5 s of starting', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `crash-restart-${run}`;
    const ticker = new Ticker(producer, topic);
    ticker.start(40);
    const recovery = await killAndRestart({ topic, group, stop: 'SIGKILL', timeoutMs: 40_000 }, children);
    await ticker.stop();
    // From the restarted process's start (its first line of code) to its first committed event.
    expect(recovery.bootToFirstMs).toBeLessThan(5_000);
    expect(recovery.readyToFirstMs).toBeLessThan(5_000);
    // Nothing lost, nothing applied twice, across the kill.
    await expectExactlyOnce(group, ticker.ids);
  }, 60_000);

  it('a planned stop (SIGTERM) leaves the group: the next process commits within 2 s of starting', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `planned-restart-${run}`;
    const ticker = new Ticker(producer, topic);
    ticker.start(40);
    // Eviction off: the fast restart must come from the LeaveGroup of the stop itself.
    const recovery = await killAndRestart({ topic, group, stop: 'SIGTERM', evict: false, timeoutMs: 40_000 }, children);
    await ticker.stop();
    expect(children[0]?.fact('stopped')).toBeDefined(); // drained and left, not killed by a timeout
    expect(recovery.bootToFirstMs).toBeLessThan(2_000);
    await expectExactlyOnce(group, ticker.ids);
  }, 60_000);

  it('a crash between the side effect and the offset commit: the event is redelivered and skipped, its effect happens once', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `crash-commit-${run}`;
    const ticker = new Ticker(producer, topic);
    await ticker.send(10);
    const crashSeq = 5;
    const crashing = new ChildConsumer({ topic, group, crashAfterSeq: crashSeq });
    children.push(crashing);
    expect(await crashing.exited).toBe('SIGKILL');
    const crashedId = ticker.ids[crashSeq] as string;
    // The side effect committed before the process died…
    expect((await effectCounts(group)).get(crashedId)).toBe(1);
    // …and its offset did not: the restarted consumer gets the event again and skips it.
    const restarted = new ChildConsumer({ topic, group });
    children.push(restarted);
    await restarted.until((f) => f.at === 'duplicate' && f.id === crashedId, 20_000, 'the crashed event to be redelivered');
    await expectExactlyOnce(group, ticker.ids);
  }, 60_000);

  it('two live processes with the same identity: the later start removes the earlier member once, which rejoins; nothing lost or doubled', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `same-identity-${run}`;
    const ticker = new Ticker(producer, topic);
    ticker.start(40);
    const earlier = new ChildConsumer({ topic, group });
    children.push(earlier);
    await earlier.until((f) => f.at === 'ready', 20_000, 'the earlier process to join');
    const later = new ChildConsumer({ topic, group });
    children.push(later);
    await later.until((f) => f.at === 'ready', 20_000, 'the later process to join');
    // Removed by the later start, the earlier member joins again (a second join), then both share the partitions.
    await earlier.untilTrue(() => earlier.facts.filter((f) => f.at === 'joined').length >= 2, 20_000, 'the earlier process to rejoin');
    const processedBefore = earlier.processedCount();
    await earlier.untilTrue(() => earlier.processedCount() > processedBefore, 20_000, 'the earlier process to process again');
    await ticker.stop();
    await expectExactlyOnce(group, ticker.ids);
  }, 60_000);

  it('consumers of one group in one process take their own slots and do not remove each other', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `siblings-${run}`;
    const Tick = defineEvent({ type: 'crash.tick', version: 1, topic, schema: z.object({ seq: z.number().int() }) });
    const start = () =>
      startConsumer({
        group,
        brokers: ['127.0.0.1:9092'],
        prisma,
        registry: createEventRegistry([Tick]),
        kafkaLogLevel: KafkaLogLevel.NOTHING,
        handlers: { 'crash.tick': async () => undefined },
      });
    const first = await start();
    const second = await start();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const clientIds = async () => (await admin.describeGroups([kafkaGroupId(group)])).groups[0]?.members.map((m) => m.clientId).sort();
      const instance = consumerInstanceId();
      await waitFor(async () => (await clientIds())?.length === 2, 15_000, 'both members in the group');
      expect(await clientIds()).toEqual([`consumer-${group}@${instance}#1`, `consumer-${group}@${instance}#2`]);
      // A planned stop gives the slot back: the next consumer takes #1 again.
      await first.stop();
      const third = await start();
      await waitFor(async () => (await clientIds())?.length === 2, 15_000, 'two members again');
      expect(await clientIds()).toEqual([`consumer-${group}@${instance}#1`, `consumer-${group}@${instance}#2`]);
      await third.stop();
    } finally {
      await second.stop();
      await admin.disconnect();
    }
  }, 60_000);

  it('a long chunk keeps its session alive: slow handlers in one transaction for longer than the session cause no rebalance', async () => {
    const { topic, remove } = await createRunTopic(`events-crash-test.${run}`);
    topics.push({ remove });
    const group = `long-chunk-${run}`;
    const Tick = defineEvent({ type: 'crash.tick', version: 1, topic, schema: z.object({ seq: z.number().int() }) });
    let joins = 0;
    let handled = 0;
    const consumer = await startConsumer({
      group,
      brokers: ['127.0.0.1:9092'],
      prisma,
      registry: createEventRegistry([Tick]),
      kafkaLogLevel: KafkaLogLevel.INFO,
      logger: {
        info: (_obj, msg) => {
          if (msg?.includes('Consumer has joined the group')) joins++;
        },
        warn: () => undefined,
        error: () => undefined,
      },
      // The broker's shortest session, and a transaction budget that lets one chunk run ~8 s.
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      transactionOptions: { timeout: 30_000 },
      partitionsConsumedConcurrently: 1,
      handlers: {
        'crash.tick': async () => {
          await new Promise((resolve) => setTimeout(resolve, 800));
          handled++;
        },
      },
    });
    try {
      // One key: one partition, one batch, one chunk of 10 slow handlers.
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, (_, seq) => ({ key: 'one', value: JSON.stringify({ eventId: randomUUID(), type: 'crash.tick', version: 1, occurredAt: new Date().toISOString(), aggregateId: 'one', payload: { seq } }) })),
      });
      await waitFor(() => handled >= 10, 30_000, 'the slow chunk');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(joins).toBe(1);
    } finally {
      await consumer.stop();
    }
  }, 60_000);
});
