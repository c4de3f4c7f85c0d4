/**
 * Cost per operation: the model on the real API schema, the figures of every
 * operation the storefront and the admin send (generated from their sources
 * with their own codegen config, as their builds do), and the router's
 * `extensions.cost` and maximum.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import { buildSchema, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@commerce/observability';
import adminCodegen from '../../admin/codegen.ts';
import storefrontCodegen from '../../storefront/codegen.ts';
import { DEFAULT_MAX_COST } from '../src/cost-plugin.ts';
import { CostCalculator } from '../src/cost.ts';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { composeFixture, post, startAccounts, startShop, type FakeSubgraph } from './fixtures.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const schema = buildSchema(readFileSync(join(repo, 'schema/api.graphql'), 'utf8'));
const calculator = new CostCalculator({ defaultListSize: 10, mutationCost: 10 });

function costOf(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  return calculator.cost(schema, document, operation, variables);
}

/** The app's persisted documents, generated from its sources with its own codegen config into a temp folder. */
async function appOperations(app: 'storefront' | 'admin'): Promise<Record<string, string>> {
  const config = app === 'storefront' ? storefrontCodegen : adminCodegen;
  const out = mkdtempSync(join(tmpdir(), `router-cost-${app}-`));
  try {
    const generates = config.generates as Record<string, object>;
    await generate(
      { ...config, hooks: {}, cwd: join(repo, app), silent: true, generates: { [`${out}/`]: { ...(generates['src/graphql/generated/'] as object), preset: clientPreset } } },
      true,
    );
    return JSON.parse(readFileSync(join(out, 'persisted-documents.json'), 'utf8')) as Record<string, string>;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('cost model', () => {
  it('counts objects, sizes lists by first (literal, variable, defaults), and passes a connection size to its edges', () => {
    // 1 (connection) + 5 edges × (1 edge + 1 node + 10 variants (default list size))
    expect(costOf('{ products(first: 5) { edges { node { id variants { sku } } } } }')).toBe(1 + 5 * (1 + 1 + 10 * 1));
    expect(costOf('query ($n: Int!) { products(first: $n) { edges { node { id } } } }', { n: 2 })).toBe(1 + 2 * 2);
    // No `first`: the schema's default for it (products: first = 20).
    expect(costOf('{ products { edges { node { id } } } }')).toBe(1 + 20 * 2);
    // The operation's default for the variable comes first.
    expect(costOf('query ($n: Int = 3) { products(first: $n) { edges { node { id } } } }')).toBe(1 + 3 * 2);
    expect(costOf('{ __typename products(first: 1) { totalCount } }')).toBe(1);
  });
});

describe('the apps’ operations', () => {
  it('every storefront and admin operation costs at most a quarter of the default ROUTER_MAX_COST, which applies to them too (figures printed)', async () => {
    const rows: { app: string; name: string; cost: number }[] = [];
    const documents = new Map<string, { parsed: DocumentNode; operation: OperationDefinitionNode }>();
    for (const app of ['storefront', 'admin'] as const) {
      for (const document of Object.values(await appOperations(app))) {
        const parsed = parse(document);
        for (const definition of parsed.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          const name = definition.name?.value ?? '(anonymous)';
          documents.set(name, { parsed, operation: definition });
          rows.push({ app, name, cost: calculator.cost(schema, parsed, definition, {}) });
        }
      }
    }
    rows.sort((a, b) => b.cost - a.cost);
    const maxCost = DEFAULT_MAX_COST;
    // The sitemap asks for 100 a page (variables, not defaults): 1 connection + 1 pageInfo + 100 × (edge + node).
    const sitemap = documents.get('SitemapCategories');
    if (!sitemap) throw new Error('the storefront has no SitemapCategories operation');
    const sitemapPage = calculator.cost(schema, sitemap.parsed, sitemap.operation, { first: 100 });
    console.log(
      `operation costs (variables at their defaults), highest first; ROUTER_MAX_COST ${maxCost}\n${rows
        .slice(0, 15)
        .map((row) => `  ${String(row.cost).padStart(5)}  ${row.app} ${row.name}`)
        .join('\n')}\n  storefront max ${rows.find((row) => row.app === 'storefront')?.cost}, admin max ${rows.find((row) => row.app === 'admin')?.cost}, ${rows.length} operations; SitemapCategories at first: 100 costs ${sitemapPage} a page`,
    );
    expect(rows.length).toBeGreaterThan(50);
    expect(sitemapPage).toBe(1 + 1 + 100 * 2);
    // A new operation over a quarter of the maximum must be reshaped (paged, as the sitemap is), not exempted.
    expect(rows.filter((row) => row.cost > maxCost / 4)).toEqual([]);
  });
});

describe('router: extensions.cost and the maximum', () => {
  let accounts: FakeSubgraph;
  let shop: FakeSubgraph;
  let dir: string;
  let router: RunningRouter;

  beforeAll(async () => {
    [accounts, shop] = await Promise.all([startAccounts(), startShop()]);
    dir = mkdtempSync(join(tmpdir(), 'router-cost-'));
    const sdl = composeFixture({ accounts: 'http://127.0.0.1:9/graphql', shop: 'http://127.0.0.1:9/graphql' }, true);
    writeFileSync(join(dir, 'supergraph.graphql'), sdl);
    router = await createRouter({
      port: 0,
      host: '127.0.0.1',
      supergraphPath: join(dir, 'supergraph.graphql'),
      watch: false,
      subscriptions: false,
      logger: createLogger({ service: 'router-cost-test', level: 'silent' }),
      subgraphUrls: { accounts: accounts.url, shop: shop.url },
      protection: { safelist: false, rateLimit: false, cost: { maxCost: 50, report: true, defaultListSize: 10 } },
    });
  });

  afterAll(async () => {
    await router?.stop();
    await Promise.all([accounts?.stop(), shop?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports requested and actual cost', async () => {
    // products: unbounded list, 10 assumed × (1 + seller 1) = 20; the answer has 2 products with 2 sellers = 4.
    const answer = await post(router.url, { query: '{ products { id seller { name } } }' });
    expect(answer.status).toBe(200);
    expect((answer.body as { extensions?: unknown }).extensions).toEqual({ cost: { requestedQueryCost: 20, actualQueryCost: 4 } });
  });

  it('refuses an operation over ROUTER_MAX_COST with QUERY_TOO_COMPLEX, limit cost', async () => {
    // 10 × (1 + related 10 × 1) = 110 > 50
    const answer = await post(router.url, { query: 'query Heavy { products { id related { id } } }' });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 110, max: 50 });
  });
});
