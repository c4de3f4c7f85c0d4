/**
 * npm run bench:router — our router against its peers: Hive Gateway and a
 * bare @apollo/gateway, on the same supergraph, queries and subgraphs.
 *
 * Every piece runs in its own process (own event loop), started here
 * (router-roles.ts):
 *   users, catalog   the real subgraphs on dedicated bench databases
 *                    (ecommerce_<domain>_bench: migrated, 60 registered bench
 *                    users, the demo catalog seeded with them as review authors)
 *   gateways         the targets of router-targets.ts: router (createRouter,
 *                    production), Hive Gateway (default settings), bare
 *                    ApolloGateway (the baseline and the reference answer)
 *
 * Scenarios (router-scenarios.ts; --scenarios to pick):
 *   memory     storefront listing, in-memory subgraphs: the gateways' own cost
 *   real       storefront listing, real subgraphs on PostgreSQL
 *   signed-in  the listing plus `me`, each connection a signed-in shopper
 *   light      the first 20 categories (one subgraph)
 * Every round measures every target, in alternating order, after checking
 * that each answers exactly as the bare gateway does. The results go into
 * docs/benchmarks.md between <!-- bench:router --> markers.
 *
 * Needs PostgreSQL (`npm run infra:up`). Options:
 *   --connections 20  --duration 10  --warmup 3  --rounds 2  --no-write
 *   --scenarios memory,real,signed-in,light  --targets router,hive,bare
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { benchmarksDoc, writeBenchmarkSection } from './benchmarks-doc.ts';
import { type Child, Children } from './router-children.ts';
import type { SubgraphUrls } from './router-protocol.ts';
import { routerSection } from './router-report.ts';
import { type GatewayStack, type RoundOptions, runScenario, type Scenario, type ScenarioResult, scenarios } from './router-scenarios.ts';
import { type GatewayTarget, referenceKey, selectTargets, targetByKey } from './router-targets.ts';
import { CATALOG_ONLY_QUERY, ensureAuthors, graphql, recordingOf, type Shopper, STOREFRONT_QUERY, signInShoppers } from './router-workload.ts';

interface BenchOptions extends RoundOptions {
  scenarios: Scenario[];
  targets: GatewayTarget[];
  write: boolean;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '20' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      scenarios: { type: 'string', default: scenarios.map((scenario) => scenario.key).join(',') },
      targets: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const wanted = values.scenarios.split(',').map((key) => key.trim());
  const unknown = wanted.filter((key) => !scenarios.some((scenario) => scenario.key === key));
  if (unknown.length > 0) throw new Error(`unknown --scenarios ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.key).join(', ')}`);
  return {
    connections: Number(values.connections),
    duration: Number(values.duration),
    warmup: Number(values.warmup),
    rounds: Math.max(1, Number(values.rounds)),
    scenarios: scenarios.filter((scenario) => wanted.includes(scenario.key)),
    targets: selectTargets(values.targets),
    write: !values['no-write'],
  };
}

/** One process per target on `subgraphUrls`, plus the reference gateway if it is not a target. */
async function startGateways(children: Children, targets: GatewayTarget[], subgraphUrls: SubgraphUrls, catalog: Child, suffix: string): Promise<GatewayStack> {
  const measured = await Promise.all(
    targets.map(async (target) => {
      const child = await children.start(
        target.role,
        { subgraphUrls, ...(target.routerOptions ? { routerOptions: target.routerOptions } : {}) },
        { label: `${target.key}${suffix}`, ...(target.env ? { env: target.env } : {}) },
      );
      return { target, child };
    }),
  );
  const reference =
    measured.find(({ target }) => target.key === referenceKey)?.child ??
    (await children.start(targetByKey(referenceKey).role, { subgraphUrls }, { label: `${referenceKey}${suffix} (reference only)` }));
  return { catalog, reference, measured };
}

/**
 * The in-memory subgraphs replay what the real ones answered, so the
 * gateways do the same work without PostgreSQL; their page must be the real page.
 */
async function startMemoryStack(children: Children, targets: GatewayTarget[], real: GatewayStack): Promise<GatewayStack> {
  const [listing, catalogOnly] = await Promise.all([graphql(real.reference.url, STOREFRONT_QUERY), graphql(real.catalog.url, CATALOG_ONLY_QUERY)]);
  const recording = recordingOf(listing, catalogOnly);
  const [memoryUsers, memoryCatalog] = await Promise.all([children.start('memory-users', recording), children.start('memory-catalog', recording)]);
  const stack = await startGateways(children, targets, { users: memoryUsers.url, catalog: memoryCatalog.url }, memoryCatalog, ' (in-memory)');
  const replayed = await graphql(stack.reference.url, STOREFRONT_QUERY);
  if (!isDeepStrictEqual(replayed, listing)) throw new Error('the in-memory subgraphs do not reproduce the real answer');
  return stack;
}

function hiveVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@graphql-hive/gateway/package.json') as { version: string }).version;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const children = new Children();
  const log = (message: string): void => console.error(`bench: ${message}`);
  // Other work on the machine skews req/s (CPU per request much less); say how busy it was.
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    log('starting users subgraph (bench database)…');
    const users = await children.start('users', null);
    const authorIds = await ensureAuthors(users.url);
    log(`${authorIds.length} review authors ready; starting catalog (seeds on first run)…`);
    const catalog = await children.start('catalog', { authorIds });
    log(`catalog: ${catalog.detail ?? 'ready'}`);
    const real = await startGateways(children, options.targets, { users: users.url, catalog: catalog.url }, catalog, '');
    let memory: GatewayStack | undefined;
    const stackFor = async (scenario: Scenario): Promise<GatewayStack> => {
      if (scenario.subgraphs === 'real') return real;
      memory ??= await startMemoryStack(children, options.targets, real);
      return memory;
    };

    const results: ScenarioResult[] = [];
    for (const scenario of options.scenarios) {
      // Signed in just before use: access tokens expire (15 minutes by default).
      const shoppers: Shopper[] = scenario.signedIn ? await signInShoppers(users.url, options.connections) : [];
      const result = await runScenario(scenario, await stackFor(scenario), { children, options, shoppers, log });
      log(`${scenario.key}: ${result.targets.map((entry) => `${entry.target.label} ${Math.round(entry.combined.requestsPerSecond)} req/s`).join(', ')}`);
      results.push(result);
    }

    const section = routerSection(results, {
      date: new Date().toISOString().slice(0, 10),
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      node: process.version,
      loadAtStart,
      loadAtEnd: loadavg()[0] ?? 0,
      connections: options.connections,
      duration: options.duration,
      warmup: options.warmup,
      rounds: options.rounds,
      hiveVersion: hiveVersion(),
    });
    console.log(`\n${section}\n`);
    if (options.write) {
      writeBenchmarkSection('router', section);
      log(`wrote ${benchmarksDoc}`);
    }
  } finally {
    await children.stopAll();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
