/**
 * Budgets in Redis, shared by two router instances: a redis-server of this
 * test's own (so it can be stopped without disturbing anyone), two routers on
 * it, and operations of a known cost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { createLogger } from '@commerce/observability';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { freePort, ownRedis, type OwnRedis } from './cache-fixtures.ts';
import { composeFixture, post, startAccounts, startShop, type FakeSubgraph } from './fixtures.ts';

// products: 10 assumed items × 1 = 10 points.
const QUERY = '{ products { id } }';

let accounts: FakeSubgraph;
let shop: FakeSubgraph;
let redis: OwnRedis;
let dir: string;
const routers: RunningRouter[] = [];

async function startRouters(prefix: string, budgets: { user: [number, number]; ip: [number, number] }): Promise<RunningRouter[]> {
  const started = await Promise.all(
    [1, 2].map(() =>
      createRouter({
        port: 0,
        host: '127.0.0.1',
        supergraphPath: join(dir, 'supergraph.graphql'),
        watch: false,
        subscriptions: false,
        logger: createLogger({ service: 'router-rate-test', level: 'silent' }),
        subgraphUrls: { accounts: accounts.url, shop: shop.url },
        protection: {
          safelist: false,
          cost: { report: true },
          rateLimit: {
            redisUrl: redis.url,
            prefix,
            identity: { capacity: budgets.user[0], refillPerSecond: budgets.user[1] },
            ip: { capacity: budgets.ip[0], refillPerSecond: budgets.ip[1] },
            timeoutMs: 200,
          },
        },
      }),
    ),
  );
  routers.push(...started);
  return started;
}

beforeAll(async () => {
  [accounts, shop] = await Promise.all([startAccounts(), startShop()]);
  redis = ownRedis(await freePort());
  await redis.start();
  dir = mkdtempSync(join(tmpdir(), 'router-rate-'));
  writeFileSync(join(dir, 'supergraph.graphql'), composeFixture({ accounts: 'http://127.0.0.1:9/graphql', shop: 'http://127.0.0.1:9/graphql' }, true));
});

afterAll(async () => {
  await Promise.all(routers.map((router) => router.stop()));
  await redis?.kill();
  await Promise.all([accounts?.stop(), shop?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('rate limits', () => {
  it('two routers spend one address budget; over it: 429, Retry-After, RATE_LIMITED', async () => {
    const [a, b] = await startRouters(`t1:${Date.now()}:`, { user: [1_000, 100], ip: [30, 1] });
    const answers = [];
    for (const router of [a, b, a, b]) answers.push(await post((router as RunningRouter).url, { query: QUERY }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect((answers[0]?.body as { extensions?: unknown } | undefined)?.extensions).toEqual({
      cost: { requestedQueryCost: 10, actualQueryCost: 2, throttleStatus: { maximumAvailable: 30, currentlyAvailable: 20, restoreRate: 1 } },
    });
    const refused = answers[3];
    expect(refused?.body.data).toBeUndefined();
    expect(refused?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    // 30 spent at 1 point a second: 10 points are back in about 10 s.
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(9);
    expect(retryAfter).toBeLessThanOrEqual(10);
  });

  it('a signed-in user has a budget of their own, on every router', async () => {
    const [a, b] = await startRouters(`t2:${Date.now()}:`, { user: [20, 1], ip: [1_000, 100] });
    const ada = (await signAccessToken({ userId: 'u-ada', email: 'ada@example.com', roles: ['CUSTOMER'] })).token;
    const grace = (await signAccessToken({ userId: 'u-grace', email: 'grace@example.com', roles: ['CUSTOMER'] })).token;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await post((a as RunningRouter).url, { query: QUERY }, as(ada))).status).toBe(200);
    expect((await post((b as RunningRouter).url, { query: QUERY }, as(ada))).status).toBe(200);
    const third = await post((a as RunningRouter).url, { query: QUERY }, as(ada));
    expect(third.status).toBe(429);
    expect(third.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Another user on the same address is not held back by Ada's spending.
    expect((await post((b as RunningRouter).url, { query: QUERY }, as(grace))).status).toBe(200);
  });

  it('Redis down: requests go through (fail open)', async () => {
    const [a] = await startRouters(`t3:${Date.now()}:`, { user: [10, 1], ip: [10, 1] });
    expect((await post((a as RunningRouter).url, { query: QUERY })).status).toBe(200);
    await redis.kill();
    for (let i = 0; i < 3; i += 1) {
      const answer = await post((a as RunningRouter).url, { query: QUERY });
      expect(answer.status).toBe(200);
      expect((answer.body as { extensions?: { cost?: Record<string, unknown> } }).extensions?.cost?.throttleStatus).toBeUndefined();
    }
  });
});
