/**
 * npx tsx scripts/bench/catalog-cpu.ts — CPU of the catalog subgraph per storefront listing request.
 *
 * The catalog subgraph (the real server, schema and resolvers) runs in a child
 * process on its own database (ecommerce_catalog_cpubench: the demo catalog,
 * reviews by 60 fixed author ids, so no users subgraph is needed). The load
 * generator sends bench:router's catalog-only listing query straight to it
 * and reads the child's process.cpuUsage() before and after each run.
 *
 *   --duration 10 --warmup 3 --connections 10 --rounds 1
 *   --record FILE   write the listing's response body to FILE
 *   --expect FILE   fail unless the response body is byte-identical to FILE
 *   --prof DIR      write a V8 CPU profile of the catalog process into DIR
 *   --source DIR    serve the catalog from a copy of subgraphs/catalog (DIR/src, DIR/schema.graphql)
 *                   inside the repository, e.g. an older version, to compare side by side
 *   --kit DIR       start it with the startSubgraph of a copy of packages/subgraph-kit/src (DIR/index.ts)
 *
 * Statements per request are counted by wrapping pg's Client#query in the
 * child, so they include Prisma's and any direct driver statements alike.
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readEnv } from '@commerce/config';
import { askChild, awaitReady, stopChildProcess } from './child-process.ts';
import { CATALOG_ONLY_QUERY as LISTING_QUERY } from './router-workload.ts';

/** Fixed review authors: the catalog stores only their ids. */
const AUTHOR_IDS = Array.from({ length: 60 }, (_, index) => `00000000-0000-7000-8000-${index.toString(16).padStart(12, '0')}`);

type ToChild = { type: 'stats' } | { type: 'stop' };
type Stats = { type: 'stats'; usage: NodeJS.CpuUsage; statements: number };
type FromChild = { type: 'ready'; url: string } | Stats | { type: 'failed'; message: string };

async function databaseUrl(): Promise<string> {
  const { postgresServerUrl } = await import('@commerce/config');
  return readEnv('BENCH_CATALOG_CPU_DATABASE_URL') ?? `${postgresServerUrl()}/ecommerce_catalog_cpubench`;
}

/** Counts every statement sent through pg, whoever sends it. */
async function countStatements(): Promise<() => number> {
  const pg = await import('pg');
  const Client = (pg.default ?? pg).Client;
  const query = Client.prototype.query;
  let count = 0;
  Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
    count += 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return () => count;
}

async function runChild(source: string, kit: string | undefined): Promise<void> {
  const statements = await countStatements();
  const url = await databaseUrl();
  const { startSubgraph } = (await import(kit ? `${kit}/index.ts` : '@commerce/subgraph-kit')) as typeof import('@commerce/subgraph-kit');
  const { catalogSubgraph } = (await import(`${source}/src/subgraph.ts`)) as typeof import('../../subgraphs/catalog/src/subgraph.ts');
  const running = await startSubgraph(catalogSubgraph({ databaseUrl: url, relay: false }), { port: 0, host: '127.0.0.1' });
  process.on('message', (message: ToChild) => {
    if (message.type === 'stats') process.send?.({ type: 'stats', usage: process.cpuUsage(), statements: statements() } satisfies FromChild);
    if (message.type === 'stop') void running.stop().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: running.url } satisfies FromChild);
}

async function prepareDatabase(): Promise<void> {
  const url = await databaseUrl();
  const { migrateDatabase, migrationsDir } = await import('@commerce/prisma');
  await migrateDatabase(url, migrationsDir('catalog'), { log: () => undefined });
  const { seedCatalog } = await import('../../subgraphs/catalog/src/seed/seed.ts');
  const seeded = await seedCatalog({ databaseUrl: url, authorIds: AUTHOR_IDS, publishEvents: false });
  console.error(`bench: ${seeded.products} products (seed ${seeded.durationMs} ms)`);
}

async function post(url: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LISTING_QUERY }) });
  return response.text();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      record: { type: 'string' },
      expect: { type: 'string' },
      prof: { type: 'string' },
      source: { type: 'string' },
      kit: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const load = loadavg()[0] ?? 0;
  await prepareDatabase();
  const profile = values.prof ? ['--cpu-prof', `--cpu-prof-dir=${values.prof}`] : [];
  const source = values.source ? new URL(values.source, `file://${process.cwd()}/`).href : new URL('../../subgraphs/catalog', import.meta.url).href;
  const kit = values.kit ? ['--kit', new URL(values.kit, `file://${process.cwd()}/`).href] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'catalog', '--source', source, ...kit], {
    execArgv: [...process.execArgv, ...profile],
    env: { ...process.env, LOG_LEVEL: readEnv('LOG_LEVEL', 'warn'), OTEL_SDK_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stats = (): Promise<Stats> => askChild<Stats>(child, { type: 'stats' } satisfies ToChild, 'stats');
  try {
    const { url } = await awaitReady<{ type: 'ready'; url: string }>(child, 'catalog');
    const body = await post(url);
    if (body.includes('"errors"')) throw new Error(`the listing failed: ${body.slice(0, 500)}`);
    if (values.record) writeFileSync(values.record, body);
    if (values.expect && readFileSync(values.expect, 'utf8') !== body) {
      writeFileSync(`${values.expect}.actual`, body);
      throw new Error(`the answer differs from ${values.expect} (see ${values.expect}.actual)`);
    }
    const before = await stats();
    await post(url);
    const one = await stats();
    console.error(`bench: ${one.statements - before.statements} SQL statements per request, ${body.length} bytes per answer`);

    const { default: autocannon } = await import('autocannon');
    const request = {
      url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LISTING_QUERY }),
      connections: Number(values.connections),
    };
    if (Number(values.warmup) > 0) await autocannon({ ...request, duration: Number(values.warmup) });
    for (let round = 1; round <= Number(values.rounds); round++) {
      const start = await stats();
      const result = await autocannon({ ...request, duration: Number(values.duration) });
      const end = await stats();
      const cpuMs = (end.usage.user - start.usage.user + end.usage.system - start.usage.system) / 1000;
      const requests = result.requests.total;
      const failed = result.errors + result.non2xx + result.timeouts;
      console.log(
        `round ${round}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
          `${(cpuMs / requests).toFixed(2)} ms CPU/request (${Math.round(cpuMs / 10 / Number(values.duration))}% of a core), ` +
          `${((end.statements - start.statements) / requests).toFixed(2)} statements/request, ${failed} failed; ` +
          `load ${load.toFixed(1)} at start, ${cpus().length} cores`,
      );
    }
  } finally {
    await stopChildProcess(child, { type: 'stop' } satisfies ToChild);
  }
}

try {
  const { values } = parseArgs({ options: { role: { type: 'string' }, source: { type: 'string' }, kit: { type: 'string' } }, strict: false });
  if (values.role === 'catalog') await runChild(String(values.source), typeof values.kit === 'string' ? values.kit : undefined);
  else {
    await main();
    process.exit(0);
  }
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (process.send) {
    process.send({ type: 'failed', message } satisfies FromChild);
    process.exit(1);
  }
  console.error(`bench failed: ${message}`);
  process.exit(1);
}
