/**
 * Issue 13: a consumer process that crashes and restarts processes again
 * within seconds, and a crash between the side effect and the offset commit
 * is harmless. Real child processes (crash/consumer-child.ts), real Kafka
 * (a per-run topic and group), the scratch database of the other events tests.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
    const recovery = await killAndRestart({ topic, group, stop: 'SIGTERM', timeoutMs: 40_000 }, children);
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
});
