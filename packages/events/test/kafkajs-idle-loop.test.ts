/**
 * kafkajs 2.2.4's request queue spins a 1 ms timer on every idle connection
 * (see src/kafkajs-idle-loop.ts). With the patch, an idle connected client
 * schedules no timers from its request queue, and requests still flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { createKafka, kafkajsIdleLoopPatched } from '../src/index.js';
import { delay } from './helpers.js';

let admin: Admin;

beforeAll(async () => {
  admin = createKafka({ clientId: 'events-idle-loop-test', brokers: ['127.0.0.1:9092'] }).admin();
  await admin.connect();
  await admin.listTopics();
});

afterAll(async () => {
  await admin?.disconnect();
});

/** setTimeout calls made from kafkajs' request queue while `during` runs. */
async function requestQueueTimers(during: () => Promise<unknown>): Promise<number> {
  const original = globalThis.setTimeout;
  let count = 0;
  const counting = ((...args: Parameters<typeof setTimeout>) => {
    if (new Error().stack?.includes("network/requestQueue")) count += 1;
    return original(...args);
  }) as typeof setTimeout;
  globalThis.setTimeout = counting;
  try {
    await during();
  } finally {
    globalThis.setTimeout = original;
  }
  return count;
}

describe('kafkajs idle request queue', () => {
  it('is patched for the installed kafkajs version', () => {
    expect(kafkajsIdleLoopPatched).toBe(true);
  });

  it('schedules no timers on an idle connection, and requests still complete', async () => {
    const idle = await requestQueueTimers(() => delay(300));
    // Unpatched, this is about one per millisecond (≈300).
    expect(idle).toBe(0);

    let topics: string[] = [];
    await requestQueueTimers(async () => {
      topics = await admin.listTopics();
    });
    expect(Array.isArray(topics)).toBe(true);
    const afterRequest = await requestQueueTimers(() => delay(200));
    expect(afterRequest).toBe(0);
  });
});
