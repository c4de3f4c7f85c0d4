/**
 * The router's shared response cache against real Redis and Kafka, with two
 * small subgraphs that declare `@cacheControl` hints like the real ones.
 * (The real subgraphs, a price changed through the router and two real users
 * are in e2e/test/response-cache.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { signAccessToken } from '@commerce/auth';
import { redisUrl } from '@commerce/config';
import { createLogger } from '@commerce/observability';
import type { AppliedInvalidation } from '../src/cache/index.ts';
import { createRouter, type RouterOptions, type RunningRouter } from '../src/router.ts';
import {
  eventually,
  P1,
  P2,
  priceChanged,
  startFakeAccounts,
  startFakeCatalog,
  testTopics,
  U1,
  U2,
  USERS,
  V1,
  V2,
  writeCacheSupergraph,
  type FakeCatalog,
  type FakeSubgraph,
  type TestTopics,
} from './cache-fixtures.ts';
import { post } from './fixtures.ts';

const logger = createLogger({ service: 'router-cache-test', level: 'silent' });

let catalog: FakeCatalog;
let accounts: FakeSubgraph;
let topics: TestTopics;
let supergraph: { dir: string; path: string };
let router: RunningRouter;
let redis: Redis;
const prefix = `test:rc:${randomUUID().slice(0, 8)}:`;
const invalidations: AppliedInvalidation[] = [];

const PRODUCTS = '{ products { id name variants { id sku price } } }';
const ONE_PRODUCT = 'query One($id: ID!) { product(id: $id) { id name variants { id price } } }';

function routerOptions(overrides: Partial<RouterOptions> = {}): RouterOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    supergraphPath: supergraph.path,
    watch: false,
    subgraphUrls: { catalog: catalog.url, accounts: accounts.url },
    production: false,
    subscriptions: false,
    logger,
    ...overrides,
  };
}

const bearer = async (userId: string, roles: ('CUSTOMER' | 'ADMIN')[] = ['CUSTOMER']): Promise<string> =>
  `Bearer ${(await signAccessToken({ userId, email: USERS[userId]?.email ?? `${userId}@example.test`, roles })).token}`;

/** Every value the cache holds under a prefix, as text. */
async function storedValues(keyPrefix: string): Promise<string[]> {
  const keys = await redis.keys(`${keyPrefix}e:*`);
  return keys.length === 0 ? [] : ((await redis.mget(keys)).filter(Boolean) as string[]);
}

beforeAll(async () => {
  [catalog, accounts, topics] = await Promise.all([startFakeCatalog(), startFakeAccounts(), testTopics()]);
  supergraph = writeCacheSupergraph();
  redis = new Redis(redisUrl());
  router = await createRouter(
    routerOptions({ responseCache: { prefix, topics: topics.all, onInvalidated: (applied) => invalidations.push(applied) } }),
  );
  // The cache is used once an invalidator consumes the change events.
  await eventually(async () => ((await redis.exists(`${prefix}alive`)) === 1 ? true : undefined), 30_000);
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([catalog?.stop(), accounts?.stop(), topics?.close()]);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(keys);
  redis?.disconnect();
  if (supergraph) rmSync(supergraph.dir, { recursive: true, force: true });
});

describe('response cache', () => {
  it('answers an anonymous public query from Redis the second time, with an ETag; If-None-Match gets 304', async () => {
    const first = await post(router.url, { query: PRODUCTS });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const calls = catalog.requests.length;

    const second = await post(router.url, { query: PRODUCTS });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(catalog.requests.length).toBe(calls);
    const etag = second.headers.get('etag');
    expect(etag).toBe(first.headers.get('etag'));
    expect(second.headers.get('cache-control')).toBe('public, no-cache');

    const revalidated = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-none-match': etag ?? '' },
      body: JSON.stringify({ query: PRODUCTS }),
    });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('never stores an answer with a personal field, and two users get their own answers', async () => {
    const query = '{ products { id name } me { id name email } }';
    const ada = await post(router.url, { query }, { authorization: await bearer(U1) });
    const grace = await post(router.url, { query }, { authorization: await bearer(U2) });
    expect(ada.body.data?.me).toEqual({ id: U1, name: 'Ada', email: 'ada@example.test' });
    expect(grace.body.data?.me).toEqual({ id: U2, name: 'Grace', email: 'grace@example.test' });
    for (let i = 0; i < 2; i++) {
      const anonymous = await post(router.url, { query });
      expect(anonymous.body.data?.me).toBeNull();
      expect(anonymous.headers.get('x-cache')).toBeNull();
    }
    const again = await post(router.url, { query }, { authorization: await bearer(U1) });
    expect(again.body.data?.me).toEqual({ id: U1, name: 'Ada', email: 'ada@example.test' });
    const stored = (await storedValues(prefix)).join('\n');
    expect(stored).not.toContain('@example.test');
    expect(stored).not.toContain('"me"');
  });

  it('serves a signed-in shopper the public entry, and fills a missing one without their token', async () => {
    const query = '{ products { id name reviewer { id name } } }';
    // The first time, nobody knows the operation is public: the shopper's own request runs with the token.
    const first = await post(router.url, { query }, { authorization: await bearer(U1) });
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(catalog.requests.at(-1)?.authorization).toMatch(/^Bearer /);
    // Now it is known to be public: a shopper's miss runs as the anonymous request and is shared.
    const second = await post(router.url, { query }, { authorization: await bearer(U2) });
    expect(second.headers.get('x-cache')).toBe('MISS');
    expect(catalog.requests.at(-1)?.authorization).toBeUndefined();
    expect(accounts.requests.at(-1)?.authorization).toBeUndefined();
    const anonymous = await post(router.url, { query });
    expect(anonymous.headers.get('x-cache')).toBe('HIT');
    const third = await post(router.url, { query }, { authorization: await bearer(U1) });
    expect(third.headers.get('x-cache')).toBe('HIT');
    expect([second.body, anonymous.body, third.body]).toEqual([first.body, first.body, first.body]);
  });

  it('bypasses the cache for administrators, who see more', async () => {
    const query = '{ productCount }';
    expect((await post(router.url, { query })).body.data).toEqual({ productCount: 2 });
    expect((await post(router.url, { query })).headers.get('x-cache')).toBe('HIT');
    const admin = await bearer(randomUUID(), ['ADMIN']);
    for (let i = 0; i < 2; i++) {
      const calls = catalog.requests.length;
      const answer = await post(router.url, { query }, { authorization: admin });
      expect(answer.body.data).toEqual({ productCount: 3 });
      expect(answer.headers.get('x-cache')).toBeNull();
      expect(catalog.requests.length).toBe(calls + 1);
    }
    expect((await post(router.url, { query })).body.data).toEqual({ productCount: 2 });
  });

  it("drops exactly the entries holding a product when its price changes, once the event is processed", async () => {
    const one = (id: string) => post(router.url, { query: ONE_PRODUCT, variables: { id } });
    await Promise.all([one(P1), one(P2), post(router.url, { query: PRODUCTS })]);
    expect((await one(P1)).headers.get('x-cache')).toBe('HIT');
    expect((await one(P2)).headers.get('x-cache')).toBe('HIT');

    catalog.setPrice(V1, 2700);
    const before = invalidations.length;
    await topics.publish(topics.product, 'product.price_changed', P1, priceChanged(P1, V1, 2700));
    const applied = await eventually(() => invalidations.slice(before).find((entry) => entry.tags.includes(`e:${P1}`)));
    expect(applied.dropped).toBeGreaterThanOrEqual(2);

    const fresh = await one(P1);
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(fresh.body.data?.product).toMatchObject({ id: P1, variants: [{ id: V1, price: 2700 }] });
    const list = await post(router.url, { query: PRODUCTS });
    expect(list.headers.get('x-cache')).toBe('MISS');
    expect(JSON.stringify(list.body)).toContain('2700');
    expect((await one(P2)).headers.get('x-cache')).toBe('HIT');
  });

  it('refuses to store an answer read before a change whose event arrived while it was computed', async () => {
    const query = '{ products { id variants { id price } } }';
    catalog.delayMs = 1_500;
    const before = router.responseCacheStats()?.refused ?? 0;
    const inFlight = post(router.url, { query });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The catalog has read its rows (old price) and is still working when the change lands.
    catalog.setPrice(V1, 2900);
    const seen = invalidations.length;
    await topics.publish(topics.product, 'product.price_changed', P1, priceChanged(P1, V1, 2900));
    await eventually(() => (invalidations.length > seen ? true : undefined));
    const stale = await inFlight;
    catalog.delayMs = 0;
    expect(JSON.stringify(stale.body)).toContain('2700');
    expect(router.responseCacheStats()?.refused).toBe(before + 1);
    const next = await post(router.url, { query });
    expect(next.headers.get('x-cache')).toBe('MISS');
    expect(JSON.stringify(next.body)).toContain('2900');
  });

  it('answers the public part of a signed-in page from cached subgraph fetches, the personal part live', async () => {
    const query = '{ products { id name variants { id price } reviewer { id name } } me { id name email } }';
    const ask = async (userId: string) => {
      const calls = { catalog: catalog.requests.length, accounts: accounts.requests.length };
      const answer = await post(router.url, { query }, { authorization: await bearer(userId) });
      return { answer, catalog: catalog.requests.slice(calls.catalog), accounts: accounts.requests.slice(calls.accounts) };
    };
    // First time: found public (catalog, the reviewers' names); then fetched without a token and stored.
    await ask(U1);
    const filling = await ask(U2);
    expect(filling.catalog.map((headers) => headers.authorization)).toEqual([undefined]);
    const ada = await ask(U1);
    const grace = await ask(U2);
    expect(ada.answer.body.data?.me).toEqual({ id: U1, name: 'Ada', email: 'ada@example.test' });
    expect(grace.answer.body.data?.me).toEqual({ id: U2, name: 'Grace', email: 'grace@example.test' });
    expect(ada.answer.body.data?.products).toEqual(grace.answer.body.data?.products);
    // Only `me` went to a subgraph, with the shopper's own token.
    expect(ada.catalog).toEqual([]);
    expect(grace.catalog).toEqual([]);
    expect(grace.accounts).toHaveLength(1);
    expect(grace.accounts[0]?.authorization).toMatch(/^Bearer /);
    expect(router.responseCacheStats()?.fetches.hits).toBeGreaterThanOrEqual(4);

    // A price change drops the cached fetch too.
    catalog.setPrice(V1, 3100);
    const seen = invalidations.length;
    await topics.publish(topics.product, 'product.price_changed', P1, priceChanged(P1, V1, 3100));
    await eventually(() => (invalidations.length > seen ? true : undefined));
    const after = await ask(U1);
    expect(after.catalog).toHaveLength(1);
    expect(JSON.stringify(after.answer.body.data?.products)).toContain('3100');
  });

  it('shares entries and invalidations between routers with one prefix', async () => {
    const second = await createRouter(routerOptions({ responseCache: { prefix, topics: topics.all, onInvalidated: (applied) => invalidations.push(applied) } }));
    try {
      const one = (url: string) => post(url, { query: ONE_PRODUCT, variables: { id: P2 } });
      await one(router.url);
      expect((await one(second.url)).headers.get('x-cache')).toBe('HIT');
      catalog.setPrice(V2, 1700);
      const seen = invalidations.length;
      await topics.publish(topics.product, 'product.price_changed', P2, priceChanged(P2, V2, 1700));
      // Applied once, by whichever router's invalidator holds the partition, for both.
      await eventually(() => (invalidations.slice(seen).some((applied) => applied.tags.includes(`e:${P2}`)) ? true : undefined), 30_000);
      for (const url of [second.url, router.url]) expect(JSON.stringify((await one(url)).body)).toContain('1700');
    } finally {
      await second.stop();
    }
  });

  it('keeps nothing of a query that failed', async () => {
    // Every field is public, but one failed: the answer is not what the next caller should get.
    const query = '{ products { id } failing }';
    for (let i = 0; i < 2; i++) {
      const answer = await post(router.url, { query });
      expect(answer.body.errors?.[0]?.message).toBe('Try again.');
      expect(answer.headers.get('x-cache')).toBeNull();
    }
  });
});

describe('response cache off', () => {
  it('leaves Redis alone and answers the same', async () => {
    const off = await createRouter(routerOptions({ responseCache: false }));
    try {
      const answer = await post(off.url, { query: PRODUCTS });
      expect(answer.headers.get('x-cache')).toBeNull();
      expect(answer.body).toEqual((await post(router.url, { query: PRODUCTS })).body);
      expect(off.responseCacheStats()).toBeUndefined();
    } finally {
      await off.stop();
    }
  });
});
