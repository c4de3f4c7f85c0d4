/**
 * Only known operations: a manifest is built the way the storefront builds
 * its own (graphql-codegen with the storefront's codegen config, then the
 * apps' write-manifest script, packages/next-kit/scripts/write-manifest.mjs)
 * from a temporary source file, against the test supergraph; the router
 * loads it at start.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Supergraph } from '@apollo/federation-internals';
import { generate } from '@graphql-codegen/cli';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import { printSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@commerce/observability';
import storefrontCodegen from '../../storefront/codegen.ts';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { composeFixture, post, startAccounts, startShop, type FakeSubgraph } from './fixtures.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const silent = createLogger({ service: 'router-safelist-test', level: 'silent' });

let accounts: FakeSubgraph;
let shop: FakeSubgraph;
let work: string;
let supergraphPath: string;
const routers: RunningRouter[] = [];

/** The storefront's source, as far as this test is concerned: one file of `graphql(...)` documents. */
const PRODUCTS_SOURCE = `import { graphql } from './graphql/generated';
export const ProductNames = graphql(\`
  query ProductNames {
    products {
      id
      name
    }
  }
\`);
`;
const SELLERS_SOURCE = `${PRODUCTS_SOURCE}
export const ProductSellers = graphql(\`
  query ProductSellers {
    products { id seller { name } }
  }
\`);
`;

/** codegen (the storefront's preset and persisted-documents settings) + the apps' write-manifest script, in a temp app folder. */
async function buildManifest(source: string): Promise<string> {
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'src', 'operations.ts'), source);
  const generates = storefrontCodegen.generates as Record<string, object>;
  await generate(
    {
      ...storefrontCodegen,
      hooks: {},
      cwd: app,
      schema: join(work, 'api.graphql'),
      documents: [join(app, 'src/**/*.ts'), `!${join(app, 'src/graphql/generated/**')}`],
      // The storefront's output settings, its preset given as a module (codegen would look for it from the temp folder).
      generates: { [join(app, 'src/graphql/generated/')]: { ...(generates['src/graphql/generated/'] as object), preset: clientPreset } },
      silent: true,
    },
    true,
  );
  execFileSync(process.execPath, [join(repo, 'packages/next-kit/scripts/write-manifest.mjs'), app], { stdio: 'ignore' });
  return join(app, '.next', 'operations.json');
}

function lines(): { stream: Writable; seen: Record<string, unknown>[] } {
  const seen: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) seen.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, seen };
}

async function start(mode: 'log' | 'enforce', manifest: string, logger = silent, maxCost = Number.POSITIVE_INFINITY): Promise<RunningRouter> {
  const router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath,
    watch: false,
    subscriptions: false,
    production: true,
    logger,
    subgraphUrls: { accounts: accounts.url, shop: shop.url },
    protection: { safelist: { mode, manifests: [manifest] }, rateLimit: false, cost: { maxCost } },
  });
  routers.push(router);
  return router;
}

const PRETTY_PRODUCTS = '\n    query ProductNames {\n  products {\n    id\n    name\n  }\n}\n    ';
const HAND_MADE = '{ products { id brand } }';

beforeAll(async () => {
  [accounts, shop] = await Promise.all([startAccounts(), startShop()]);
  work = mkdtempSync(join(tmpdir(), 'router-safelist-'));
  const sdl = composeFixture({ accounts: 'http://127.0.0.1:9/graphql', shop: 'http://127.0.0.1:9/graphql' }, true);
  supergraphPath = join(work, 'supergraph.graphql');
  writeFileSync(supergraphPath, sdl);
  writeFileSync(join(work, 'api.graphql'), printSchema(Supergraph.build(sdl).apiSchema().toGraphQLJSSchema()));
});

afterAll(async () => {
  await Promise.all(routers.map((router) => router.stop()));
  await Promise.all([accounts?.stop(), shop?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe('safelist', () => {
  it('enforce: runs manifest operations by full document, documentId or APQ hash; refuses a hand-made query (403) and an unknown id (400)', async () => {
    const manifestPath = await buildManifest(PRODUCTS_SOURCE);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { operations: { id: string; name: string }[] };
    const id = manifest.operations.find((operation) => operation.name === 'ProductNames')?.id as string;
    const router = await start('enforce', manifestPath);
    const expected = { data: { products: [{ id: 'p1', name: 'Kettle' }, { id: 'p2', name: 'Teapot' }] } };

    // What the storefront sends today: the generated document's text (pretty-printed, fields in source order).
    const text = await post(router.url, { query: PRETTY_PRODUCTS, operationName: 'ProductNames' });
    expect([text.status, text.body]).toEqual([200, expected]);
    // Reordered fields and other whitespace print to the same canonical document.
    expect((await post(router.url, { query: 'query ProductNames { products { name id } }' })).status).toBe(200);
    expect((await post(router.url, { documentId: id })).body).toEqual(expected);
    const apq = await post(router.url, { extensions: { persistedQuery: { version: 1, sha256Hash: id.slice('sha256:'.length) } } });
    expect(apq.body).toEqual(expected);
    const get = await fetch(`${router.url}?documentId=${encodeURIComponent(id)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual(expected);

    const refused = await post(router.url, { query: HAND_MADE });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_IN_SAFELIST');
    expect(refused.body.data).toBeUndefined();
    const unknownId = await post(router.url, { documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknownId.status).toBe(400);
    expect(unknownId.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a new storefront query passes once the manifest is rebuilt and loaded', async () => {
    const sellers = 'query ProductSellers { products { id seller { name } } }';
    const before = await start('enforce', await buildManifest(PRODUCTS_SOURCE));
    expect((await post(before.url, { query: sellers })).status).toBe(403);

    const after = await start('enforce', await buildManifest(SELLERS_SOURCE));
    const answer = await post(after.url, { query: sellers });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ products: [{ id: 'p1', seller: { name: 'Ada' } }, { id: 'p2', seller: { name: 'Grace' } }] });
  });

  it('log mode lets a hand-made query through with a warning', async () => {
    const { stream, seen } = lines();
    const router = await start('log', await buildManifest(PRODUCTS_SOURCE), createLogger({ service: 'router', level: 'warn', destination: stream }));
    const answer = await post(router.url, { query: HAND_MADE });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ products: [{ id: 'p1', brand: 'Acme' }, { id: 'p2', brand: 'Brew' }] });
    expect(seen.some((line) => line.msg === 'router: operation not in the safelist (allowed: ROUTER_SAFELIST=log)' && line.mode === 'log')).toBe(true);
  });

  it('the maximum cost holds for every operation, a manifest one included (the apps keep theirs far below it: cost.test.ts)', async () => {
    const router = await start('log', await buildManifest(PRODUCTS_SOURCE), silent, 5);
    // ProductNames: products (no first: 10 assumed) = 10 > 5.
    const known = await post(router.url, { query: PRETTY_PRODUCTS });
    expect(known.status).toBe(400);
    expect(known.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 10, max: 5 });
    const unknown = await post(router.url, { query: '{ products { id } }' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 10, max: 5 });
  });

  it('over the WebSocket too: a hand-made operation is refused, a manifest one runs', async () => {
    const manifestPath = await buildManifest(PRODUCTS_SOURCE);
    const id = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { operations: { id: string }[] }).operations[0]?.id as string;
    const router = await createRouter({
      port: 0,
      host: '127.0.0.1',
      supergraphPath,
      watch: false,
      production: true,
      logger: silent,
      subgraphUrls: { accounts: accounts.url, shop: shop.url },
      protection: { safelist: { mode: 'enforce', manifests: [manifestPath] }, rateLimit: false },
    });
    routers.push(router);
    const client = createClient({ url: router.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const run = (payload: { query: string; extensions?: Record<string, unknown> }): Promise<unknown> =>
      new Promise((resolve) => {
        const seen: unknown[] = [];
        client.subscribe(payload, { next: (value) => seen.push(value), error: (cause) => resolve({ error: cause }), complete: () => resolve(seen) });
      });
    try {
      expect(await run({ query: PRETTY_PRODUCTS })).toEqual([{ data: { products: [{ id: 'p1', name: 'Kettle' }, { id: 'p2', name: 'Teapot' }] } }]);
      expect(await run({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: id.slice('sha256:'.length) } } })).toEqual([
        { data: { products: [{ id: 'p1', name: 'Kettle' }, { id: 'p2', name: 'Teapot' }] } },
      ]);
      const refused = (await run({ query: HAND_MADE })) as { error: { extensions?: { code?: string } }[] };
      expect(refused.error[0]?.extensions?.code).toBe('OPERATION_NOT_IN_SAFELIST');
    } finally {
      await client.dispose();
    }
  });

  it('enforce with a missing manifest refuses to start', async () => {
    await expect(start('enforce', join(work, 'nowhere', 'operations.json'))).rejects.toThrow(/safelist manifest\(s\) missing/);
  });
});
