/**
 * The router's Prometheus endpoint: on a port of its own (not reachable on the
 * GraphQL port), requests by operation name and type with their errors,
 * subgraph fetches per subgraph, planning time and plan-cache hits, and
 * refusals by reason.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@commerce/observability';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { post, startAccounts, startShop, writeSupergraph, type FakeSubgraph } from './fixtures.ts';

const logger = createLogger({ service: 'router-metrics-test', level: 'silent' });

let accounts: FakeSubgraph;
let shop: FakeSubgraph;
let router: RunningRouter;
let supergraph: { dir: string; path: string };

/** Sum of the samples of `name` whose labels include every pair of `labels`. */
async function scrape(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(router.metricsUrl ?? '')).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

beforeAll(async () => {
  [accounts, shop] = await Promise.all([startAccounts(), startShop()]);
  supergraph = writeSupergraph(false);
  router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    metricsPort: 0,
    supergraphPath: supergraph.path,
    subgraphUrls: { accounts: accounts.url, shop: shop.url },
    production: false,
    logger,
    limits: { maxDepth: 6, maxAliases: 3, maxBodyBytes: 4096 },
    watch: false,
  });
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([accounts?.stop(), shop?.stop()]);
  rmSync(supergraph.dir, { recursive: true, force: true });
});

describe('router metrics', () => {
  it('are served on their own port, not on the GraphQL port', async () => {
    expect(router.metricsUrl).toBeDefined();
    expect(new URL(router.metricsUrl ?? '').port).not.toBe(String(router.port));
    const response = await fetch(router.metricsUrl ?? '');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('nodejs_eventloop_lag_p99_seconds');
    expect((await fetch(router.url.replace('/graphql', '/metrics'))).status).toBe(404);
  });

  it('count requests by operation name and type, with their duration, and the subgraph calls behind them', async () => {
    const labels = { service: 'router', graphql_operation_name: 'Sellers', graphql_operation_type: 'query', error_type: '' };
    const before = await scrape('http_server_request_duration_seconds_count', labels);
    const accountsBefore = await scrape('http_client_request_duration_seconds_count', { subgraph_name: 'accounts' });
    const missesBefore = await scrape('router_query_plan_cache_total', { result: 'miss' });
    const hitsBefore = await scrape('router_query_plan_cache_total', { result: 'hit' });
    for (let index = 0; index < 3; index++) {
      const { status, body } = await post(router.url, { query: 'query Sellers { products { id seller { name } } }' });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    expect(await scrape('http_server_request_duration_seconds_count', labels)).toBe(before + 3);
    expect(await scrape('http_server_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 3);
    expect(await scrape('http_client_request_duration_seconds_count', { subgraph_name: 'accounts' })).toBe(accountsBefore + 3);
    // Planned once, then served from the gateway's plan cache.
    expect(await scrape('router_query_plan_cache_total', { result: 'miss' })).toBe(missesBefore + 1);
    expect(await scrape('router_query_plan_cache_total', { result: 'hit' })).toBe(hitsBefore + 2);
    expect(await scrape('router_query_planning_duration_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('count refusals by reason, and the errors by code', async () => {
    const rejected = (reason: string) => scrape('router_requests_rejected_total', { reason });
    const before = {
      complex: await rejected('QUERY_TOO_COMPLEX'),
      parse: await rejected('GRAPHQL_PARSE_FAILED'),
      large: await rejected('PAYLOAD_TOO_LARGE'),
      unauthenticated: await rejected('UNAUTHENTICATED'),
      resolution: await rejected('OPERATION_RESOLUTION_FAILURE'),
    };
    expect((await post(router.url, { query: '{ a: products { id } b: products { id } c: products { id } d: products { id } }' })).body.errors?.[0]?.extensions?.code).toBe(
      'QUERY_TOO_COMPLEX',
    );
    expect((await post(router.url, { query: '{ products { ' })).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await post(router.url, { query: `{ products { id } } #${'x'.repeat(5000)}` })).status).toBe(413);
    expect((await post(router.url, { query: '{ products { id } }' }, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await post(router.url, { query: 'query A { products { id } }', operationName: 'B' })).status).toBe(400);

    expect(await rejected('QUERY_TOO_COMPLEX')).toBe(before.complex + 1);
    expect(await rejected('GRAPHQL_PARSE_FAILED')).toBe(before.parse + 1);
    expect(await rejected('PAYLOAD_TOO_LARGE')).toBe(before.large + 1);
    expect(await rejected('UNAUTHENTICATED')).toBe(before.unauthenticated + 1);
    expect(await rejected('OPERATION_RESOLUTION_FAILURE')).toBe(before.resolution + 1);
    // Every reason is there from the start, so a rate over it is 0 rather than absent.
    expect(await scrape('router_requests_rejected_total', { reason: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(0);
    expect(await scrape('http_server_request_duration_seconds_count', { service: 'router', error_type: 'PAYLOAD_TOO_LARGE', http_response_status_code: '413' })).toBeGreaterThanOrEqual(1);
  });

  it('report open subscriptions and WebSockets', async () => {
    expect(await scrape('router_subscriptions_open')).toBe(0);
    expect(await scrape('router_websocket_connections_open')).toBe(0);
  });
});
