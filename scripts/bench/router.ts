/**
 * npm run bench:router — is the router as fast as a bare @apollo/gateway?
 *
 * Every piece runs in its own process (own event loop), started here:
 *   users, catalog   the real subgraphs on dedicated bench databases
 *                    (ecommerce_<domain>_bench: migrated, 60 registered bench
 *                    users, the demo catalog seeded with them as review authors)
 *   router           createRouter() from router/, production settings
 *   bare             ApolloGateway + ApolloServer (standalone), no plugins,
 *                    default data sources: the baseline
 * and drives a storefront query with autocannon through the router, through
 * the bare gateway, and (without the users part) straight to catalog.
 *
 * Two scenarios:
 *   1. in-memory subgraphs: the same two subgraph schemas on the same server
 *      stack (subgraph-kit), answering from the data the real ones returned.
 *      The gateway is the bottleneck, so this is where router overhead shows.
 *   2. real subgraphs on PostgreSQL: end to end, usually bound by catalog.
 * The results go into docs/benchmarks.md between <!-- bench:router --> markers.
 *
 * Needs PostgreSQL (`npm run infra:up`). Options:
 *   --connections 20  --duration 10  --warmup 3  --rounds 2  --no-write
 * Each round measures bare gateway and router back to back, alternating
 * which goes first.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { readEnv } from '@commerce/config';
import type { GraphQLResolverMap } from '@commerce/subgraph-kit';
import { askChild, awaitReady, stopChildProcess } from './child-process.ts';
import { benchmarksDoc, writeBenchmarkSection } from './benchmarks-doc.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const supergraphPath = `${repoRoot}schema/supergraph.graphql`;

// ---------------------------------------------------------------------------
// The workload

const STOREFRONT_QUERY = `query Storefront {
  products(first: 20) {
    edges {
      node {
        id
        name
        slug
        priceRange(currency: USD) { min { amountMinor currency } max { amountMinor currency } }
        variants { id sku price(currency: USD) { amountMinor currency } }
        rating { average count }
        reviews(first: 3) { edges { node { id rating title author { id name } } } }
      }
    }
  }
}`;

/** The same page without what only the users subgraph knows: all of it resolves in catalog. */
const CATALOG_ONLY_QUERY = STOREFRONT_QUERY.replace('author { id name }', 'author { id }').replace('query Storefront', 'query StorefrontCatalogOnly');

const AUTHOR_COUNT = 60;
const BENCH_PASSWORD = 'bench-password-2026';

// ---------------------------------------------------------------------------
// Child processes: one role each, driven over IPC.

type Role = 'users' | 'catalog' | 'memory-users' | 'memory-catalog' | 'router' | 'bare';
type ToChild = { type: 'cpu' } | { type: 'stop' };
type FromChild = { type: 'ready'; url: string; detail?: string } | { type: 'cpu'; usage: NodeJS.CpuUsage } | { type: 'failed'; message: string };

function send(message: FromChild): void {
  process.send?.(message);
}

/** Serves IPC requests of the parent until told to stop. */
function serveChild(url: string, stop: () => Promise<void>, detail?: string): void {
  process.on('message', (message: ToChild) => {
    if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
    if (message.type === 'stop') {
      stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url, ...(detail ? { detail } : {}) });
}

async function benchDatabaseUrl(domain: 'users' | 'catalog'): Promise<string> {
  const { postgresServerUrl } = await import('@commerce/config');
  return readEnv(`BENCH_${domain.toUpperCase()}_DATABASE_URL`) ?? `${postgresServerUrl()}/ecommerce_${domain}_bench`;
}

async function migrateBenchDatabase(domain: 'users' | 'catalog'): Promise<string> {
  const { migrateDatabase, migrationsDir } = await import('@commerce/prisma');
  const url = await benchDatabaseUrl(domain);
  await migrateDatabase(url, migrationsDir(domain), { log: () => undefined });
  return url;
}

async function runUsers(): Promise<void> {
  const databaseUrl = await migrateBenchDatabase('users');
  const { startSubgraph } = await import('@commerce/subgraph-kit');
  // Loaded by path: the subgraphs are packages of their own and may be mid-development.
  const { usersSubgraph } = await import('../../subgraphs/users/src/subgraph.ts');
  const running = await startSubgraph(usersSubgraph({ databaseUrl, relay: false, admin: false }), { port: 0, host: '127.0.0.1' });
  serveChild(running.url, () => running.stop());
}

async function runCatalog(authorIds: string[]): Promise<void> {
  const databaseUrl = await migrateBenchDatabase('catalog');
  const { startSubgraph } = await import('@commerce/subgraph-kit');
  const { catalogSubgraph } = await import('../../subgraphs/catalog/src/subgraph.ts');
  const { seedCatalog } = await import('../../subgraphs/catalog/src/seed/seed.ts');
  // Idempotent: the first run inserts the demo catalog, later runs insert nothing.
  const seeded = await seedCatalog({ databaseUrl, authorIds, publishEvents: false });
  const running = await startSubgraph(catalogSubgraph({ databaseUrl, relay: false }), { port: 0, host: '127.0.0.1' });
  serveChild(running.url, () => running.stop(), `${seeded.products} products (seeded in ${seeded.durationMs} ms)`);
}

/** What the in-memory subgraphs answer: recorded from the real ones in the preflight. */
interface Recording {
  /** `data.products` of the catalog-only query against the real catalog. */
  products: unknown;
  /** User id → name, from the real users subgraph. */
  names: Record<string, string>;
}

/**
 * A subgraph on the real stack (subgraph-kit: auth, permissions, masking) and
 * the real schema, whose resolvers return recorded data. Arguments are
 * ignored; default resolvers read the recorded fields by name.
 */
async function runMemorySubgraph(name: 'users' | 'catalog', recording: Recording): Promise<void> {
  const { startSubgraph, loadSchema } = await import('@commerce/subgraph-kit');
  const typeDefs = loadSchema(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url));
  const resolvers: GraphQLResolverMap =
    name === 'catalog'
      ? { Query: { products: () => recording.products } }
      : {
          Query: { me: () => null },
          User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: recording.names[ref.id] ?? 'Unknown' }) },
        };
  const running = await startSubgraph({ name, typeDefs, resolvers, createContext: (base) => base }, { port: 0, host: '127.0.0.1' });
  serveChild(running.url, () => running.stop());
}

async function runRouter(subgraphUrls: Record<string, string>): Promise<void> {
  const { createRouter } = await import('@commerce/router');
  const router = await createRouter({ port: 0, host: '127.0.0.1', supergraphPath, subgraphUrls, production: true });
  serveChild(router.url, () => router.stop());
}

/** The baseline: what `new ApolloGateway` + `startStandaloneServer` give you, nothing added. */
async function runBare(subgraphUrls: Record<string, string>): Promise<void> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    // Only the URLs change (subgraphs run on ephemeral ports); the data source is the default one.
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: subgraphUrls[name] ?? url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  serveChild(url, () => server.stop());
}

// ---------------------------------------------------------------------------
// Parent: orchestration

interface Child {
  role: Role;
  /** Role plus which subgraphs it talks to, for CPU breakdowns. */
  label: string;
  process: ChildProcess;
  url: string;
  detail: string | undefined;
}

/** Every child started, for CPU breakdowns. */
const runningChildren: Child[] = [];

/** Busy and total CPU time of the machine so far (all cores, PostgreSQL included). */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const core of cpus()) {
    const { user, nice, sys, irq, idle } = core.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

function startChild(role: Role, payload: unknown, labelSuffix = ''): Promise<Child> {
  // BENCH_CPU_PROF=router writes a V8 CPU profile of each router process into .cache/bench-profiles on exit.
  const profile = readEnv('BENCH_CPU_PROF') === role ? ['--cpu-prof', `--cpu-prof-dir=${repoRoot}.cache/bench-profiles`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--role', role, '--payload', JSON.stringify(payload)], {
    execArgv: [...process.execArgv, ...profile],
    env: { ...process.env, LOG_LEVEL: readEnv('LOG_LEVEL', 'warn'), OTEL_SDK_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return awaitReady<Extract<FromChild, { type: 'ready' }>>(child, role).then((ready) => {
    const started: Child = { role, label: `${role}${labelSuffix}`, process: child, url: ready.url, detail: ready.detail };
    runningChildren.push(started);
    return started;
  });
}

async function cpuOf(child: Child): Promise<NodeJS.CpuUsage> {
  const reply = await askChild<Extract<FromChild, { type: 'cpu' }>>(child.process, { type: 'cpu' } satisfies ToChild, 'cpu');
  return reply.usage;
}

const stopChild = (child: Child): Promise<void> => stopChildProcess(child.process, { type: 'stop' } satisfies ToChild);

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLBody;
}

/** 60 review authors as real users of the bench users database (registered once, logged in after). */
async function ensureAuthors(usersUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < AUTHOR_COUNT; index++) {
    const email = `bench-author-${index}@bench.example.com`;
    const registered = await graphql(usersUrl, 'mutation ($input: RegisterInput!) { register(input: $input) { user { id } } }', {
      input: { email, password: BENCH_PASSWORD, name: `Author ${index}` },
    });
    let id = (registered.data as { register?: { user: { id: string } } } | null)?.register?.user.id;
    if (!id && registered.errors?.[0]?.extensions?.code === 'EMAIL_TAKEN') {
      const loggedIn = await graphql(usersUrl, 'mutation ($input: LoginInput!) { login(input: $input) { user { id } } }', {
        input: { email, password: BENCH_PASSWORD },
      });
      id = (loggedIn.data as { login?: { user: { id: string } } } | null)?.login?.user.id;
    }
    if (!id) throw new Error(`could not create bench author ${email}: ${JSON.stringify(registered.errors)}`);
    ids.push(id);
  }
  return ids;
}

interface StorefrontData {
  products: { edges: { node: { reviews: { edges: { node: { author: { id: string; name?: string } } }[] } } }[] };
}

interface Preflight {
  description: string;
  /** Answers of the real subgraphs, replayed by the in-memory ones. */
  recording: Recording;
  /** The router's answer, to check the in-memory scenario returns the same page. */
  routerAnswer: GraphQLBody;
}

/** The workload must be real work: 20 products, reviews with resolved author names, and identical answers. */
async function preflight(routerUrl: string, bareUrl: string, catalogUrl: string): Promise<Preflight> {
  const [viaRouter, viaBare, direct] = await Promise.all([
    graphql(routerUrl, STOREFRONT_QUERY),
    graphql(bareUrl, STOREFRONT_QUERY),
    graphql(catalogUrl, CATALOG_ONLY_QUERY),
  ]);
  for (const [name, body] of [
    ['router', viaRouter],
    ['bare gateway', viaBare],
    ['catalog', direct],
  ] as const) {
    if (body.errors?.length) throw new Error(`${name} answered the benchmark query with errors: ${JSON.stringify(body.errors.slice(0, 3))}`);
  }
  if (!isDeepStrictEqual(viaRouter, viaBare)) throw new Error('router and bare gateway return different results for the same query');
  const products = (viaRouter.data as StorefrontData).products.edges;
  const reviews = products.flatMap((edge) => edge.node.reviews.edges);
  const names: Record<string, string> = {};
  for (const review of reviews) if (review.node.author.name !== undefined) names[review.node.author.id] = review.node.author.name;
  if (products.length !== 20) throw new Error(`expected 20 products, got ${products.length}: is the bench catalog seeded?`);
  if (Object.keys(names).length === 0) throw new Error('no review authors resolved: the users part of the query does no work');
  return {
    description: `${products.length} products, ${reviews.length} reviews with author names, ${fmtInt(Buffer.byteLength(JSON.stringify(viaRouter)))} bytes per response`,
    recording: { products: (direct.data as { products: unknown }).products, names },
    routerAnswer: viaRouter,
  };
}

interface Measurement {
  target: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU of the process under test, in % of one core, while measured. */
  cpu: number | undefined;
}

async function measure(
  target: string,
  url: string,
  query: string,
  options: { connections: number; duration: number; warmup: number },
  measured?: Child,
): Promise<Measurement> {
  const { default: autocannon } = await import('autocannon');
  const request = {
    url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections: options.connections,
  };
  if (options.warmup > 0) await autocannon({ ...request, duration: options.warmup });
  // CPU of every process we started, of this one (the load generator) and of the machine, to see what limits the run.
  const live = runningChildren.filter((child) => child.process.exitCode === null);
  const before = await Promise.all(live.map((child) => cpuOf(child)));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const started = performance.now();
  const result = await autocannon({ ...request, duration: options.duration });
  const elapsedMs = performance.now() - started;
  const after = await Promise.all(live.map((child) => cpuOf(child)));
  const percent = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => ((b.user - a.user + b.system - a.system) / 1000 / elapsedMs) * 100;
  const usage = live.map((child, index) => ({ child, cpu: percent(before[index] as NodeJS.CpuUsage, after[index] as NodeJS.CpuUsage) }));
  const machine = machineCpu();
  const busy = ((machine.busy - machineBefore.busy) / (machine.total - machineBefore.total)) * 100 * cpus().length;
  const cpu = usage.find((entry) => entry.child === measured)?.cpu;
  const breakdown = usage
    .filter((entry) => entry.cpu >= 1)
    .map((entry) => `${entry.child.label} ${Math.round(entry.cpu)}%`)
    .concat(`load generator ${Math.round(percent(selfBefore, process.cpuUsage()))}%`, `whole machine ${Math.round(busy)}% of ${cpus().length * 100}%`);
  console.error(`bench:   ${target}: ${fmtInt(result.requests.average)} req/s; CPU ${breakdown.join(', ')}`);
  return {
    target,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.timeouts,
    cpu,
  };
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

function combine(target: string, runs: Measurement[]): Measurement {
  const cpus = runs.map((run) => run.cpu).filter((cpu): cpu is number => cpu !== undefined);
  return {
    target,
    requestsPerSecond: mean(runs.map((run) => run.requestsPerSecond)),
    p50: mean(runs.map((run) => run.p50)),
    p99: mean(runs.map((run) => run.p99)),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    cpu: cpus.length > 0 ? mean(cpus) : undefined,
  };
}

const fmtInt = (value: number): string => Math.round(value).toLocaleString('en-US');
const fmtMs = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

function table(rows: Measurement[]): string {
  const lines = [
    '| target | req/s | p50 | p99 | failed requests | CPU of target | target CPU per request |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    // CPU time per request is the target's own cost; unlike req/s it barely moves when neighbours compete for the cores.
    const perRequest = row.cpu === undefined ? '–' : `${((row.cpu * 10) / row.requestsPerSecond).toFixed(2)} ms`;
    lines.push(
      `| ${row.target} | ${fmtInt(row.requestsPerSecond)} | ${fmtMs(row.p50)} | ${fmtMs(row.p99)} | ${row.failures} | ${row.cpu === undefined ? '–' : `${Math.round(row.cpu)}%`} | ${perRequest} |`,
    );
  }
  return lines.join('\n');
}

interface MeasureOptions {
  connections: number;
  duration: number;
  warmup: number;
  rounds: number;
}

interface ScenarioResult {
  rows: Measurement[];
  summary: string;
  ratio: number;
}

/** Catalog directly once, then router and bare gateway in alternating rounds. */
async function runScenario(
  label: string,
  targets: { router: Child; bare: Child; catalog: Child },
  options: MeasureOptions,
  log: (message: string) => void,
): Promise<ScenarioResult> {
  log(`${label}: catalog directly…`);
  const direct = await measure('catalog subgraph directly (catalog part only)', targets.catalog.url, CATALOG_ONLY_QUERY, options, targets.catalog);
  const routerRuns: Measurement[] = [];
  const bareRuns: Measurement[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Alternate the order so neither always runs on a warmer (or hotter) machine.
    const order = round % 2 === 0 ? (['bare', 'router'] as const) : (['router', 'bare'] as const);
    for (const which of order) {
      log(`${label}: round ${round + 1}/${options.rounds}, ${which}…`);
      if (which === 'bare') bareRuns.push(await measure('bare', targets.bare.url, STOREFRONT_QUERY, options, targets.bare));
      else routerRuns.push(await measure('router', targets.router.url, STOREFRONT_QUERY, options, targets.router));
    }
  }
  const routerResult = combine('router (users + catalog)', routerRuns);
  const bareResult = combine('bare @apollo/gateway (users + catalog)', bareRuns);
  const ratio = routerResult.requestsPerSecond / bareResult.requestsPerSecond;
  const rounds = (runs: Measurement[]): string => runs.map((run) => fmtInt(run.requestsPerSecond)).join(', ');
  const summary = [
    table([routerResult, bareResult, direct]),
    '',
    `Router ÷ bare gateway: **${ratio.toFixed(2)}×** req/s, p50 ${(routerResult.p50 / bareResult.p50).toFixed(2)}×, p99 ${(routerResult.p99 / bareResult.p99).toFixed(2)}× ` +
      `(req/s per round: router ${rounds(routerRuns)}; bare ${rounds(bareRuns)}).`,
    `Router ÷ catalog directly: ${(routerResult.requestsPerSecond / direct.requestsPerSecond).toFixed(2)}× req/s.`,
    ...(routerResult.cpu !== undefined && bareResult.cpu !== undefined
      ? [
          `CPU per request, router ÷ bare gateway: **${((routerResult.cpu / routerResult.requestsPerSecond) / (bareResult.cpu / bareResult.requestsPerSecond)).toFixed(2)}×**.`,
        ]
      : []),
  ].join('\n');
  console.log(`\n### ${label}\n\n${summary}\n`);
  return { rows: [routerResult, bareResult, direct], summary, ratio };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '20' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      'no-write': { type: 'boolean', default: false },
      role: { type: 'string' },
      payload: { type: 'string' },
    },
  });
  const options: MeasureOptions = {
    connections: Number(values.connections),
    duration: Number(values.duration),
    warmup: Number(values.warmup),
    rounds: Math.max(1, Number(values.rounds)),
  };
  const children: Child[] = [];
  const started = async (role: Role, payload: unknown, labelSuffix = ''): Promise<Child> => {
    const child = await startChild(role, payload, labelSuffix);
    children.push(child);
    return child;
  };
  const log = (message: string): void => console.error(`bench: ${message}`);
  // Other work on the machine skews req/s (CPU per request much less); say how busy it was.
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    log('starting users subgraph (bench database)…');
    const users = await started('users', null);
    const authorIds = await ensureAuthors(users.url);
    log(`${authorIds.length} review authors ready; starting catalog (seeds on first run)…`);
    const catalog = await started('catalog', { authorIds });
    log(`catalog: ${catalog.detail ?? 'ready'}`);
    const realUrls = { users: users.url, catalog: catalog.url };
    const [router, bare] = await Promise.all([started('router', { subgraphUrls: realUrls }), started('bare', { subgraphUrls: realUrls })]);
    const checked = await preflight(router.url, bare.url, catalog.url);
    log(`preflight ok: ${checked.description}`);

    const [memoryUsers, memoryCatalog] = await Promise.all([
      started('memory-users', checked.recording),
      started('memory-catalog', checked.recording),
    ]);
    const memoryUrls = { users: memoryUsers.url, catalog: memoryCatalog.url };
    const [memoryRouter, memoryBare] = await Promise.all([
      started('router', { subgraphUrls: memoryUrls }, ' (in-memory)'),
      started('bare', { subgraphUrls: memoryUrls }, ' (in-memory)'),
    ]);
    const replayed = await preflight(memoryRouter.url, memoryBare.url, memoryCatalog.url);
    if (!isDeepStrictEqual(replayed.routerAnswer, checked.routerAnswer)) throw new Error('the in-memory subgraphs do not reproduce the real answer');

    const memory = await runScenario('in-memory subgraphs', { router: memoryRouter, bare: memoryBare, catalog: memoryCatalog }, options, log);
    const real = await runScenario('real subgraphs on PostgreSQL', { router, bare, catalog }, options, log);

    if (!values['no-write']) {
      const date = new Date().toISOString().slice(0, 10);
      const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
      writeBenchmarkSection('router', `## Router vs bare gateway

Measured ${date} on ${cpus().length} cores (${cpuModel}), Node ${process.version}, by \`npm run bench:router\`:
autocannon, ${options.connections} connections, ${options.warmup} s warmup then ${options.duration} s per run; router and bare
gateway are the mean of ${options.rounds} alternating rounds. Load generator, gateway, subgraphs and PostgreSQL share these cores,
each Node piece in its own process. Load average when the run started: ${loadAtStart.toFixed(1)} (anything near or above
the core count means other work competed for the CPU, and req/s is the less reliable column then).

Query: a storefront page, 20 products with priceRange, variants with price, rating and the latest 3 reviews
with author { name } from the users subgraph (${checked.description}). The catalog row sends the same page
without the author name straight to the catalog subgraph. Router and bare gateway answers are checked identical first.

### In-memory subgraphs (gateway-bound: where router overhead would show)

The real users and catalog schemas on the real subgraph server (subgraph-kit), answering from data recorded from the
real subgraphs.

${memory.summary}

### Real subgraphs on PostgreSQL (end to end)

Dedicated databases ecommerce_users_bench and ecommerce_catalog_bench: 60 registered review authors, the demo catalog.

${real.summary}

- *router*: \`createRouter()\` in production mode: edge auth (anonymous here), depth/alias/field limits, body limit,
  error masking, header and trace propagation, keep-alive subgraph client.
- *bare*: \`new ApolloGateway({ supergraphSdl })\` + \`startStandaloneServer\`, default data sources, no plugins.
- *CPU of target*: the measured process, in % of one core; a Node process saturates near 100%. When the target is well
  below that, something else (subgraphs, database, the shared cores) limits the numbers.`);
      log(`wrote ${benchmarksDoc}`);
    }
  } finally {
    await Promise.all(children.reverse().map((child) => stopChild(child)));
  }
}

// ---------------------------------------------------------------------------

const { values: roleArgs } = parseArgs({
  options: { role: { type: 'string' }, payload: { type: 'string' } },
  strict: false,
});
const role = typeof roleArgs.role === 'string' ? (roleArgs.role as Role) : undefined;
const payload: unknown = typeof roleArgs.payload === 'string' ? JSON.parse(roleArgs.payload) : null;
const field = <T>(key: string): T => (payload as Record<string, T>)[key] as T;

try {
  if (role === 'users') await runUsers();
  else if (role === 'catalog') await runCatalog(field<string[]>('authorIds'));
  else if (role === 'memory-users') await runMemorySubgraph('users', payload as Recording);
  else if (role === 'memory-catalog') await runMemorySubgraph('catalog', payload as Recording);
  else if (role === 'router') await runRouter(field<Record<string, string>>('subgraphUrls'));
  else if (role === 'bare') await runBare(field<Record<string, string>>('subgraphUrls'));
  else {
    await main();
    process.exit(0);
  }
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (role) {
    send({ type: 'failed', message });
    process.exit(1);
  }
  console.error(`bench failed: ${message}`);
  process.exit(1);
}
