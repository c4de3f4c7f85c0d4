import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowseCache } from '../src/service/browse-cache.js';
import { category, ids, index, search, snapshot, startTestServer, truncateAll, type TestServer } from './helpers.js';

describe('BrowseCache', () => {
  it('shares one computation per key, serves a stale value while refreshing, and never keeps failures', async () => {
    const cache = new BrowseCache<number>({ ttlMs: 50, maxStaleMs: 1_000 });
    let calls = 0;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const compute = async (): Promise<number> => {
      const n = ++calls;
      await sleep(10);
      return n;
    };
    expect(await Promise.all([cache.get('a', compute), cache.get('a', compute)])).toEqual([1, 1]);
    expect(await cache.get('b', compute)).toBe(2);
    await sleep(60);
    expect(await cache.get('a', compute)).toBe(1); // stale, answered at once; one refresh starts
    expect(await cache.get('a', compute)).toBe(1); // still stale: no second refresh
    expect(calls).toBe(3);
    await sleep(100);
    expect(await cache.get('a', compute)).toBe(3); // refreshed
    await sleep(1_100);
    const before = calls;
    expect(await cache.get('a', compute)).toBe(before + 1); // too old to serve: recomputed first
    await expect(cache.get('c', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('c', compute)).toBe(before + 2);
  });

  it('evicts the oldest entries beyond maxEntries, and ttl 0 turns it off', async () => {
    const cache = new BrowseCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    let calls = 0;
    const compute = async (): Promise<string> => String(++calls);
    await cache.get('a', compute);
    await cache.get('b', compute);
    await cache.get('c', compute);
    expect(await cache.get('a', compute)).toBe('4'); // evicted, recomputed
    const off = new BrowseCache<string>({ ttlMs: 0 });
    expect(await off.get('a', compute)).toBe('5');
    expect(await off.get('a', compute)).toBe('6');
  });
});

describe('browse through the subgraph with the cache on (PostgreSQL path, replica off)', () => {
  let server: TestServer;
  const lamps = category('Lamps');

  beforeAll(async () => {
    server = await startTestServer({ browseCacheTtlMs: 60_000, replica: false });
    await truncateAll(server.db);
  });

  afterAll(async () => {
    if (server) await truncateAll(server.db);
    await server?.stop();
  });

  it('keeps the page fresh while total and facets come from the cache', async () => {
    const first = snapshot({ name: 'Desk Lamp', path: [lamps] });
    await index(server.db, first);
    const before = await search(server);
    expect(before.totalCount).toBe(1);
    const second = snapshot({ name: 'Floor Lamp', path: [lamps] });
    await index(server.db, second);
    const after = await search(server);
    expect(ids(after)).toEqual([second.productId, first.productId]); // fresh
    expect(after.totalCount).toBe(1); // cached (60 s here, 1 s by default)
    expect(after.facets).toEqual(before.facets);
    // Text queries are never cached.
    expect((await search(server, { query: 'lamp' })).totalCount).toBe(2);
    // Another filter combination is another entry.
    expect((await search(server, { filters: { categoryId: lamps.id } })).totalCount).toBe(2);
  });
});
