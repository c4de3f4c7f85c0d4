import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { createLogger } from '@commerce/observability';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { composeFixture, post, startAccounts, startShop, writeSupergraph, type FakeSubgraph } from './fixtures.ts';

const logger = createLogger({ service: 'router-test', level: 'silent' });

let accounts: FakeSubgraph;
let shop: FakeSubgraph;
let router: RunningRouter;
let supergraph: { dir: string; path: string };
const reloads: ({ ok: true } | { ok: false; error: Error })[] = [];

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

beforeAll(async () => {
  [accounts, shop] = await Promise.all([startAccounts(), startShop()]);
  supergraph = writeSupergraph(false);
  router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath: supergraph.path,
    subgraphUrls: { accounts: accounts.url, shop: shop.url },
    production: false,
    logger,
    limits: { maxDepth: 6, maxAliases: 3, maxBodyBytes: 4096 },
    onSupergraphReload: (outcome) => reloads.push(outcome),
  });
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([accounts?.stop(), shop?.stop()]);
  rmSync(supergraph.dir, { recursive: true, force: true });
});

const lastRequest = (subgraph: FakeSubgraph) => subgraph.requests.at(-1);

describe('router', () => {
  it('joins fields from both subgraphs in one query', async () => {
    const { status, body } = await post(router.url, { query: '{ products { id name seller { id name } } }' });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        products: [
          { id: 'p1', name: 'Kettle', seller: { id: 'u1', name: 'Ada' } },
          { id: 'p2', name: 'Teapot', seller: { id: 'u2', name: 'Grace' } },
        ],
      },
    });
  });

  it('answers /health and /ready', async () => {
    const base = router.url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: 'ready' });
  });

  it('rejects a malformed token with UNAUTHENTICATED before any subgraph is called', async () => {
    const before = shop.requests.length + accounts.requests.length;
    const { status, body } = await post(router.url, { query: '{ products { id } }' }, { authorization: 'Bearer not-a-jwt' });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    expect(shop.requests.length + accounts.requests.length).toBe(before);
  });

  it('rejects an expired token with UNAUTHENTICATED / TOKEN_EXPIRED', async () => {
    const { token } = await signAccessToken({ userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] }, -30);
    const { status, body } = await post(router.url, { query: '{ me { id } }' }, { authorization: `Bearer ${token}` });
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ message: 'The access token has expired.', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } });
  });

  it('forwards a valid Authorization header to every subgraph the plan calls', async () => {
    const { token } = await signAccessToken({ userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] });
    for (let attempt = 0; attempt < 2; attempt++) {
      // Second round is served from the token cache; forwarding must not depend on the first verification.
      const { status, body } = await post(router.url, { query: '{ products { seller { name } } }' }, { authorization: `Bearer ${token}` });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(lastRequest(shop)?.authorization).toBe(`Bearer ${token}`);
      expect(lastRequest(accounts)?.authorization).toBe(`Bearer ${token}`);
    }
  });

  it('does not invent an Authorization header for anonymous callers', async () => {
    await post(router.url, { query: '{ products { id } }' });
    expect(lastRequest(shop)?.authorization).toBeUndefined();
  });

  it('propagates W3C trace context and the request id to subgraphs', async () => {
    const { headers } = await post(
      router.url,
      { query: '{ products { seller { name } } }' },
      { traceparent: TRACEPARENT, tracestate: 'vendor=abc', 'x-request-id': 'req-123' },
    );
    expect(headers.get('x-request-id')).toBe('req-123');
    for (const subgraph of [shop, accounts]) {
      expect(lastRequest(subgraph)).toMatchObject({ traceparent: TRACEPARENT, tracestate: 'vendor=abc', 'x-request-id': 'req-123' });
    }
  });

  it('gives each request an id when the client sends none', async () => {
    const { headers } = await post(router.url, { query: '{ products { id } }' });
    const id = headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastRequest(shop)?.['x-request-id']).toBe(id);
    expect(lastRequest(shop)?.traceparent).toBeUndefined();
  });

  it('rejects a query deeper than the limit with QUERY_TOO_COMPLEX', async () => {
    const before = shop.requests.length;
    const deep = '{ products { related { related { related { related { related { id } } } } } } }';
    const { status, body } = await post(router.url, { query: deep });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', actual: 7, max: 6 });
    expect(shop.requests.length).toBe(before);
    // Same depth through a fragment.
    const viaFragment = await post(router.url, {
      query: 'query Q { products { ...R } } fragment R on Product { related { related { related { related { related { id } } } } } }',
    });
    expect(viaFragment.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // The limit allows what it should.
    const ok = await post(router.url, { query: '{ products { related { related { related { related { id } } } } } }' });
    expect(ok.body.errors).toBeUndefined();
  });

  it('rejects too many aliases with QUERY_TOO_COMPLEX', async () => {
    const { body } = await post(router.url, { query: '{ a: products { id } b: products { id } c: products { id } d: products { id } }' });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('rejects a body over the size limit with PAYLOAD_TOO_LARGE', async () => {
    const { status, body } = await post(router.url, { query: `{ products { id } }${' '.repeat(5000)}` });
    expect(status).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers malformed JSON with a GraphQL-shaped 400', async () => {
    const { status, body } = await post(router.url, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it("keeps a subgraph error's code and message", async () => {
    const { body } = await post(router.url, { query: '{ adminOnly }' });
    expect(body.errors?.[0]).toMatchObject({ message: 'Admins only.', path: ['adminOnly'], extensions: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(body)).not.toMatch(/stacktrace/);
  });

  it('masks unexpected subgraph errors', async () => {
    const { body } = await post(router.url, { query: '{ broken }' });
    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/hunter2|stacktrace/);
  });

  it('serves introspection and the Sandbox landing page in development', async () => {
    const { body } = await post(router.url, { query: '{ __schema { queryType { name } } }' });
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(router.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/sandbox/i);
  });

  it('hot-swaps the supergraph when the file changes, and keeps serving when the new one is invalid', async () => {
    const before = await post(router.url, { query: '{ products { brand } }' });
    expect(before.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const swapped = new Promise<void>((resolve) => {
      const unsubscribe = router.onSchemaChange((schema) => {
        if (schema.getType('Product')?.toString() && 'brand' in (schema.getType('Product') as { getFields(): object }).getFields()) {
          unsubscribe();
          resolve();
        }
      });
    });
    writeFileSync(supergraph.path, composeFixture({ accounts: 'http://127.0.0.1:9/graphql', shop: 'http://127.0.0.1:9/graphql' }, true));
    await swapped;
    const after = await post(router.url, { query: '{ products { name brand } }' });
    expect(after.body).toEqual({ data: { products: [{ name: 'Kettle', brand: 'Acme' }, { name: 'Teapot', brand: 'Brew' }] } });

    const failuresBefore = reloads.filter((r) => !r.ok).length;
    writeFileSync(supergraph.path, 'schema { query: Query } type Query { oops: Nope }');
    await expect.poll(() => reloads.filter((r) => !r.ok).length, { timeout: 5_000 }).toBe(failuresBefore + 1);
    const still = await post(router.url, { query: '{ products { brand } }' });
    expect(still.body.errors).toBeUndefined();
  });
});

describe('router in production mode', () => {
  let production: RunningRouter;
  let dir: string;

  beforeAll(async () => {
    const written = writeSupergraph(false);
    dir = written.dir;
    production = await createRouter({
      port: 0,
      host: '127.0.0.1',
      supergraphPath: written.path,
      subgraphUrls: { accounts: accounts.url, shop: shop.url },
      production: true,
      logger,
    });
  });
  afterAll(async () => {
    await production?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('disables introspection', async () => {
    const { status, body } = await post(production.url, { query: '{ __schema { types { name } } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('still serves ordinary queries, without the landing page', async () => {
    const { body } = await post(production.url, { query: '{ products { seller { name } } }' });
    expect(body.errors).toBeUndefined();
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('does not name the failing subgraph', async () => {
    const { body } = await post(production.url, { query: '{ adminOnly }' });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
  });

  // Found by a corpus of hostile requests: each was a 500 before.
  it.each([
    ['an operationName that names no operation', { query: 'query Products { products { id } }', operationName: 'Orders' }],
    ['two operations and no operationName', { query: 'query A { products { id } } query B { products { name } }' }],
    ['an operationName holding a lone UTF-16 surrogate', { query: 'query A { products { id } }', operationName: '\ud800' }],
  ])('answers %s with 400 OPERATION_RESOLUTION_FAILURE, calling no subgraph', async (_case, request) => {
    const before = shop.requests.length;
    const { status, body } = await post(production.url, request);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_RESOLUTION_FAILURE' });
    expect(body.errors?.[0]?.message).not.toContain('\ud800');
    expect(shop.requests.length).toBe(before);
  });

  it('answers a chain of 5,000 fragments, each spreading the next, with 400 GRAPHQL_PARSE_FAILED', async () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => `fragment F${i} on Query { ${i < 4_999 ? `...F${i + 1}` : 'products { id }'} }`);
    const { status, body } = await post(production.url, { query: `query Chain { ...F0 }\n${chain.join('\n')}` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
    expect(body.errors?.[0]?.message).toMatch(/5000 tokens/);
    // The router still answers.
    expect((await post(production.url, { query: '{ products { id } }' })).status).toBe(200);
  });
});

describe('router with --poll (development)', () => {
  let polling: RunningRouter;
  let dir: string;

  beforeAll(async () => {
    dir = writeSupergraph(false).dir;
    const configPath = `${dir}/supergraph.yaml`;
    // Routing URLs point nowhere: the overrides must win, as <NAME>_URL does in development.
    writeFileSync(
      configPath,
      'subgraphs:\n  accounts:\n    routing_url: http://127.0.0.1:9/graphql\n  shop:\n    routing_url: http://127.0.0.1:9/graphql\n',
    );
    polling = await createRouter({
      port: 0,
      host: '127.0.0.1',
      poll: { configPath, intervalMs: 60_000 },
      subgraphUrls: { accounts: accounts.url, shop: shop.url },
      production: false,
      logger,
    });
  });
  afterAll(async () => {
    await polling?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('composes from the running subgraphs, including fields not in any committed supergraph', async () => {
    const { body } = await post(polling.url, { query: '{ products { brand seller { name } } }' });
    expect(body).toEqual({ data: { products: [{ brand: 'Acme', seller: { name: 'Ada' } }, { brand: 'Brew', seller: { name: 'Grace' } }] } });
  });

  it('is refused in production', async () => {
    await expect(createRouter({ port: 0, poll: true, production: true, logger })).rejects.toThrow(/development/);
  });
});

describe('router with a subgraph down', () => {
  let degraded: RunningRouter;
  let dir: string;

  beforeAll(async () => {
    const written = writeSupergraph(false);
    dir = written.dir;
    // Port 9 (discard) is closed on test machines: every call to accounts is refused.
    degraded = await createRouter({
      port: 0,
      host: '127.0.0.1',
      supergraphPath: written.path,
      subgraphUrls: { accounts: 'http://127.0.0.1:9/graphql', shop: shop.url },
      production: true,
      logger,
    });
  });
  afterAll(async () => {
    await degraded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers SERVICE_UNAVAILABLE without the subgraph address, and keeps the data it could get', async () => {
    const { status, body } = await post(degraded.url, { query: '{ products { id seller { name } } }' });
    expect(status).toBe(200);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    const only = await post(degraded.url, { query: '{ products { id } }' });
    expect(only.body).toEqual({ data: { products: [{ id: 'p1' }, { id: 'p2' }] } });
  });
});
