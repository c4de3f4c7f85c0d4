/**
 * The Redis side of the response cache, against the real Redis: a write
 * racing an invalidation, and Product.inStock invalidated only when a
 * variant goes in or out of stock.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '@commerce/config';
import { createLogger } from '@commerce/observability';
import { PRODUCT_IN_STOCK_TAG } from '../src/cache/events.ts';
import { ResponseStore } from '../src/cache/store.ts';

const prefix = `test:rc-store:${randomUUID().slice(0, 8)}:`;
let store: ResponseStore;

beforeAll(async () => {
  store = new ResponseStore({ redisUrl: redisUrl(), prefix, timeoutMs: 1_000, logger: createLogger({ service: 'test', level: 'silent' }) });
  await new Promise<void>((resolve) => store.redis.once('ready', () => resolve()));
  await store.heartbeat(60_000);
});

afterAll(async () => {
  const keys = await store.redis.keys(`${prefix}*`);
  if (keys.length > 0) await store.redis.del(keys);
  await store.close();
});

const write = (key: string, stamp: string, tags: string[]) => store.write({ key, value: `{"v":"${key}"}`, ttlMs: 60_000, stamp, tags });

describe('response store', () => {
  it('stores, finds, and drops an entry by any of its tags', async () => {
    const miss = await store.read('k1');
    expect(miss?.entry).toBeNull();
    expect(await write('k1', miss!.stamp, ['e:a', 'e:b'])).toBe(true);
    expect((await store.read('k1'))?.entry).toBe('{"v":"k1"}');
    expect((await store.read('k1'))?.publicMarker).toBe(true);
    expect(await store.invalidate(['e:b'], [], PRODUCT_IN_STOCK_TAG)).toEqual({ dropped: 1, flipped: false });
    expect((await store.read('k1'))?.entry).toBeNull();
  });

  it('refuses a write whose tag was invalidated after the read it followed', async () => {
    const read = await store.read('k2');
    await store.invalidate(['e:c'], [], PRODUCT_IN_STOCK_TAG);
    expect(await write('k2', read!.stamp, ['e:c', 'e:d'])).toBe(false);
    expect((await store.read('k2'))?.entry).toBeNull();
    // A read after the invalidation may store.
    const later = await store.read('k2');
    expect(await write('k2', later!.stamp, ['e:c', 'e:d'])).toBe(true);
  });

  it('invalidates Product.inStock when a variant goes in or out of stock, not on every level', async () => {
    const read = await store.read('k3');
    expect(await write('k3', read!.stamp, [PRODUCT_IN_STOCK_TAG])).toBe(true);
    const variantId = randomUUID();
    const at = (second: number) => `2026-12-05T10:00:${String(second).padStart(2, '0')}.000Z`;
    const level = (inStock: boolean, second: number) => [{ variantId, inStock, changedAt: at(second) }];

    // First sight of a variant: unknown before, so treated as a change.
    expect((await store.invalidate([], level(true, 1), PRODUCT_IN_STOCK_TAG)).flipped).toBe(true);
    expect((await store.read('k3'))?.entry).toBeNull();
    const again = await store.read('k3');
    expect(await write('k3', again!.stamp, [PRODUCT_IN_STOCK_TAG])).toBe(true);

    expect((await store.invalidate([], level(true, 2), PRODUCT_IN_STOCK_TAG)).flipped).toBe(false);
    expect((await store.read('k3'))?.entry).not.toBeNull();
    // An older level arriving late changes nothing.
    expect((await store.invalidate([], level(false, 0), PRODUCT_IN_STOCK_TAG)).flipped).toBe(false);
    expect((await store.read('k3'))?.entry).not.toBeNull();
    expect((await store.invalidate([], level(false, 3), PRODUCT_IN_STOCK_TAG)).flipped).toBe(true);
    expect((await store.read('k3'))?.entry).toBeNull();
  });

  it("keeps only live entries in a tag's set", async () => {
    const read = await store.read('short');
    await store.write({ key: 'short', value: '{}', ttlMs: 50, stamp: read!.stamp, tags: ['l:Busy'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const later = await store.read('long');
    await store.write({ key: 'long', value: '{}', ttlMs: 60_000, stamp: later!.stamp, tags: ['l:Busy'] });
    expect(await store.redis.zrange(`${prefix}tk:l:Busy`, '0', '-1')).toEqual(['long']);
  });

  it('is not used while no invalidator is alive', async () => {
    await store.redis.del(`${prefix}alive`);
    expect(await store.read('k1')).toBeUndefined();
    await store.heartbeat(60_000);
    expect(await store.read('k1')).toBeDefined();
  });
});
