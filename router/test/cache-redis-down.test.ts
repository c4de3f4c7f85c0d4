/**
 * A broken cache: the router's cache Redis (a redis-server of this test's
 * own, so the shared one stays up for everyone else) is killed, restarted and
 * frozen while shoppers keep asking. Every answer stays complete and correct;
 * the cache comes back by itself.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@commerce/observability';
import type { AppliedInvalidation } from '../src/cache/index.ts';
import { createRouter, type RunningRouter } from '../src/router.ts';
import {
  eventually,
  freePort,
  ownRedis,
  P2,
  priceChanged,
  startFakeAccounts,
  startFakeCatalog,
  testTopics,
  V2,
  writeCacheSupergraph,
  type FakeCatalog,
  type FakeSubgraph,
  type OwnRedis,
  type TestTopics,
} from './cache-fixtures.ts';
import { post } from './fixtures.ts';

const logger = createLogger({ service: 'router-cache-test', level: 'silent' });
const QUERY = '{ products { id name variants { id sku price } reviewer { id name } } }';

let catalog: FakeCatalog;
let accounts: FakeSubgraph;
let topics: TestTopics;
let supergraph: { dir: string; path: string };
let redisServer: OwnRedis;
let router: RunningRouter;
const invalidations: AppliedInvalidation[] = [];

const alive = async (): Promise<true | undefined> => {
  const probe = new Redis(redisServer.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.exists('router:rc:alive')) === 1 ? true : undefined;
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
};

beforeAll(async () => {
  [catalog, accounts, topics] = await Promise.all([startFakeCatalog(), startFakeAccounts(), testTopics()]);
  supergraph = writeCacheSupergraph();
  redisServer = ownRedis(await freePort());
  await redisServer.start();
  router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath: supergraph.path,
    watch: false,
    subgraphUrls: { catalog: catalog.url, accounts: accounts.url },
    production: false,
    subscriptions: false,
    logger,
    responseCache: { redisUrl: redisServer.url, topics: topics.all, onInvalidated: (applied) => invalidations.push(applied) },
  });
  await eventually(alive, 30_000);
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([catalog?.stop(), accounts?.stop(), topics?.close()]);
  await redisServer?.kill();
  if (supergraph) rmSync(supergraph.dir, { recursive: true, force: true });
});

interface Outcome {
  /** performance.now() when the request was sent. */
  at: number;
  ms: number;
  status: number;
  body: string;
  cache: string | null;
}

/** `concurrency` shoppers asking QUERY back to back until `until` settles. */
async function shoppers(concurrency: number, until: Promise<unknown>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!done) {
        const at = performance.now();
        try {
          const answer = await post(router.url, { query: QUERY });
          outcomes.push({ at, ms: performance.now() - at, status: answer.status, body: JSON.stringify(answer.body), cache: answer.headers.get('x-cache') });
        } catch (error) {
          outcomes.push({ at, ms: performance.now() - at, status: 0, body: String(error), cache: null });
        }
      }
    }),
  );
  return outcomes;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('response cache with a broken Redis', () => {
  it('answers every request correctly while its Redis is killed, restarted and frozen under load, then caches again', async () => {
    const before = JSON.stringify((await post(router.url, { query: QUERY })).body);
    expect(before).toContain('Kettle');
    await eventually(async () => ((await post(router.url, { query: QUERY })).headers.get('x-cache') === 'HIT' ? true : undefined));

    const marks = { killed: 0, priceChanged: 0, restarted: 0, frozen: 0, thawed: 0 };
    const seen = invalidations.length;
    const scenario = (async () => {
      await sleep(1_000);
      await redisServer.kill();
      marks.killed = performance.now();
      // While Redis is down a price changes: its invalidation must wait for Redis, not be lost.
      catalog.setPrice(V2, 1900);
      marks.priceChanged = performance.now();
      await topics.publish(topics.product, 'product.price_changed', P2, priceChanged(P2, V2, 1900));
      await sleep(1_500);
      await redisServer.start();
      marks.restarted = performance.now();
      await eventually(alive, 15_000);
      await eventually(() => invalidations.slice(seen).find((applied) => applied.tags.includes(`e:${P2}`)), 15_000);
      await sleep(1_000);
      // Frozen rather than gone: every command times out.
      redisServer.signal('SIGSTOP');
      marks.frozen = performance.now();
      await sleep(1_500);
      redisServer.signal('SIGCONT');
      marks.thawed = performance.now();
      await sleep(1_500);
    })();
    const outcomes = await shoppers(8, scenario);
    await scenario;

    const after = JSON.stringify((await post(router.url, { query: QUERY })).body);
    expect(after).toContain('1900');
    // Every answer is complete and correct for its time: the old price only for requests sent before the change.
    const wrong = outcomes.filter((o) => o.status !== 200 || (o.body !== after && !(o.body === before && o.at < marks.priceChanged)));
    expect(wrong).toEqual([]);
    const during = (from: number, to: number) => outcomes.filter((o) => o.at >= from && o.at < to);
    expect(during(marks.killed, marks.restarted).length).toBeGreaterThan(20);
    expect(during(marks.killed, marks.restarted).filter((o) => o.cache === 'HIT')).toEqual([]);
    // Frozen: answers wait at most about one command timeout (250 ms) for Redis.
    const frozen = during(marks.frozen, marks.thawed);
    expect(frozen.length).toBeGreaterThan(5);
    expect(Math.max(...frozen.map((o) => o.ms))).toBeLessThan(1_500);
    // And the cache is back by itself.
    expect(during(marks.restarted, marks.frozen).some((o) => o.cache === 'HIT')).toBe(true);
    expect(during(marks.thawed + 500, Number.POSITIVE_INFINITY).some((o) => o.cache === 'HIT')).toBe(true);
  });
});
