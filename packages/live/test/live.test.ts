import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '@commerce/config';
import { closeLiveSubscribers, createLivePublisher, liveChannel, liveChannelCount, subscribeLive, type LivePublisher } from '../src/index.ts';

let publisher: LivePublisher;
let admin: Redis;

beforeAll(() => {
  publisher = createLivePublisher();
  admin = new Redis(redisUrl());
});

afterAll(async () => {
  await publisher.close();
  admin.disconnect();
  closeLiveSubscribers();
});

/** Redis connections subscribed to `channel` (PUBSUB NUMSUB). */
async function subscribers(channel: string): Promise<number> {
  const reply = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

const unique = (): string => `test:${randomUUID()}`;

describe('liveChannel', () => {
  it('names one channel per watched thing', () => {
    expect(liveChannel.cart('c1')).toBe('live:cart:c1');
    expect(liveChannel.order('o1')).toBe('live:order:o1');
    expect(liveChannel.userNotifications('u1')).toBe('live:user:u1:notifications');
  });
});

describe('subscribeLive', () => {
  it('delivers JSON payloads in order and ends on return()', async () => {
    const channel = unique();
    const iterator = subscribeLive<{ n: number }>(channel);
    await iterator.ready;
    for (let n = 1; n <= 3; n++) await publisher.publish(channel, { n });
    const received: number[] = [];
    for await (const message of iterator) {
      received.push(message.n);
      if (received.length === 3) break; // break calls return()
    }
    expect(received).toEqual([1, 2, 3]);
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('fans one Redis subscription out to many iterators, and unsubscribes after the last one leaves', async () => {
    const channel = unique();
    const iterators = Array.from({ length: 5 }, () => subscribeLive<string>(channel));
    await Promise.all(iterators.map((it) => it.ready));
    // One SUBSCRIBE for the process, however many iterators.
    expect(await subscribers(channel)).toBe(1);

    expect(await publisher.publish(channel, 'hello')).toBe(1);
    const firsts = await Promise.all(iterators.map((it) => it.next()));
    expect(firsts.map((r) => r.value)).toEqual(Array(5).fill('hello'));

    for (const it of iterators.slice(0, 4)) await it.return?.();
    expect(await subscribers(channel)).toBe(1);
    await publisher.publish(channel, 'still here');
    expect((await iterators[4]!.next()).value).toBe('still here');

    await iterators[4]!.return?.();
    await expect.poll(() => subscribers(channel)).toBe(0);
  });

  it('return() ends a next() that is waiting', async () => {
    const iterator = subscribeLive(unique());
    await iterator.ready;
    const pending = iterator.next();
    await iterator.return?.();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
  });

  it('an aborted signal ends the iterator and releases the channel', async () => {
    const channel = unique();
    const controller = new AbortController();
    const before = liveChannelCount();
    const iterator = subscribeLive(channel, { signal: controller.signal });
    await iterator.ready;
    expect(liveChannelCount()).toBe(before + 1);
    const pending = iterator.next();
    controller.abort();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(liveChannelCount()).toBe(before);
  });

  it('skips messages that are not JSON', async () => {
    const channel = unique();
    const iterator = subscribeLive<{ ok: boolean }>(channel);
    await iterator.ready;
    await admin.publish(channel, 'not json {');
    await publisher.publish(channel, { ok: true });
    expect((await iterator.next()).value).toEqual({ ok: true });
    await iterator.return?.();
  });

  it('drops the oldest messages beyond the buffer of a slow consumer', async () => {
    const channel = unique();
    const iterator = subscribeLive<number>(channel, { bufferSize: 2 });
    await iterator.ready;
    for (let n = 1; n <= 5; n++) await publisher.publish(channel, n);
    // The publishes are confirmed before the messages are read back; wait until all arrived.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await iterator.next()).value).toBe(4);
    expect((await iterator.next()).value).toBe(5);
    await iterator.return?.();
  });

  it('closeLiveSubscribers ends live iterators', async () => {
    const iterator = subscribeLive(unique());
    await iterator.ready;
    const pending = iterator.next();
    closeLiveSubscribers();
    await expect(pending).resolves.toMatchObject({ done: true });
  });
});
