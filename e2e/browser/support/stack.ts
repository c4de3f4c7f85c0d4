/**
 * The whole stack the browser tests drive, in a process of its own (forked by
 * global-setup.ts, once per vitest run): every subgraph (notifications with a
 * local SMTP sink included), the router, the Stripe mock, and the storefront's
 * production build under `next start`, all on ephemeral ports.
 *
 * It uses databases of its own (`ecommerce_<domain>_browser`), so the other
 * test files, which reset the `_test` databases, never pull data out from
 * under a page. Its own process keeps its environment (database URLs, Kafka
 * group prefix) away from the test workers.
 *
 * IPC: sends `{ type: 'ready', ...BrowserStackInfo }` or `{ type: 'failed', message }`;
 * stops on `{ type: 'stop' }` or when the parent goes away.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseUrl, postgresServerUrl, repoRoot } from '@commerce/config';
import { freePort, startStorefront, type RunningStorefront } from '@commerce/infra';
import { domainsWithSchema, migrateDatabase, migrationsDir } from '@commerce/prisma';
import { E2E_ADMIN, startGraph, type Graph } from '../../test/support/graph.ts';

export interface BrowserStackInfo {
  storefrontUrl: string;
  routerUrl: string;
  /** One JSON file per email the SMTP sink received (see readLatestMail). */
  mailDir: string;
  admin: { email: string; password: string };
  /** Products in the seeded catalog. */
  products: number;
  /** Milliseconds per start-up phase, for the report. */
  timings: Record<string, number>;
}

/** Products seeded for the browser tests: enough for pages, facets and pagination, quick to index. */
export const BROWSER_CATALOG_PRODUCTS = 120;
const REVIEWER_PASSWORD = 'browser-reviewer-password-1';

const send = (message: object): void => void process.send?.(message);

async function main(): Promise<void> {
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string): void => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
  };

  // Databases of this stack only: `databaseUrl(domain, 'test')` resolves to them in this process.
  const domains = domainsWithSchema();
  for (const domain of domains) {
    process.env[`${domain.toUpperCase()}_TEST_DATABASE_URL`] = `${postgresServerUrl()}/ecommerce_${domain}_browser`;
  }
  await Promise.all(domains.map((domain) => migrateDatabase(databaseUrl(domain, 'test'), migrationsDir(domain), { log: () => {} })));
  lap('migrate');

  const mailDir = join(repoRoot(), '.cache', 'browser-mail', String(process.pid));
  rmSync(mailDir, { recursive: true, force: true });
  mkdirSync(mailDir, { recursive: true });
  let mailCount = 0;

  // The storefront's address goes into the emails' links, so it is chosen before the graph starts.
  const storefrontPort = await freePort();
  const storefrontUrl = `http://127.0.0.1:${storefrontPort}`;
  const graph: Graph = await startGraph({
    initialStock: 'demo',
    notifications: {
      storefrontUrl,
      onMail(mail) {
        mailCount += 1;
        const file = join(mailDir, `${String(mailCount).padStart(5, '0')}.json`);
        const json = JSON.stringify({
          to: [...new Set([...mail.envelope.to, ...mail.to])],
          from: mail.envelope.from,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          receivedAt: mail.receivedAt.toISOString(),
        });
        // Written whole, then renamed: a reader never sees half a message.
        writeFileSync(`${file}.tmp`, json);
        renameSync(`${file}.tmp`, file);
      },
    },
  });
  lap('graph');

  let storefront: RunningStorefront | undefined;
  const stop = async (): Promise<void> => {
    await storefront?.stop();
    await graph.stop();
    rmSync(mailDir, { recursive: true, force: true });
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop().finally(() => process.exit(0));
  });
  // vitest killed or crashed: take the servers down with us.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));

  const authorIds = await registerReviewers(graph.subgraph('users').url);
  const { seedCatalog } = await import('../../../subgraphs/catalog/src/index.ts');
  const seeded = await seedCatalog({ databaseUrl: databaseUrl('catalog', 'test'), authorIds, productCount: BROWSER_CATALOG_PRODUCTS });
  lap('seed');
  // Search and inventory learn the catalog from product.created events: wait until pages can rely on both.
  await waitForIndexedCatalog(graph.routerUrl, seeded.products);
  lap('index');

  storefront = await startStorefront({
    routerUrl: graph.routerUrl,
    port: storefrontPort,
    publicUrl: storefrontUrl,
    env: { APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: process.env.STOREFRONT_LOGS === 'inherit' ? 'inherit' : 'ignore',
  });
  lap('storefront');

  const info: BrowserStackInfo = {
    storefrontUrl: storefront.url,
    routerUrl: graph.routerUrl,
    mailDir,
    admin: E2E_ADMIN,
    products: seeded.products,
    timings,
  };
  send({ type: 'ready', ...info });
}

async function postGraphQL<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: unknown[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: T; errors?: unknown[] };
}

/** Three reviewers for the seeded reviews, registered through the users subgraph's API. */
async function registerReviewers(usersUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ['Ada Byron', 'Grace Hopper', 'Alan Kay']) {
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@browser.example.test`;
    const result = await postGraphQL<{ register: { user: { id: string } } }>(
      usersUrl,
      'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }',
      { input: { email, password: REVIEWER_PASSWORD, name } },
    );
    if (!result.data?.register) throw new Error(`could not register reviewer ${email}: ${JSON.stringify(result.errors)}`);
    ids.push(result.data.register.user.id);
  }
  return ids;
}

async function waitForIndexedCatalog(routerUrl: string, products: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    const result = await postGraphQL<{ search: { totalCount: number } }>(routerUrl, '{ search(first: 1) { totalCount } }');
    last = result.data?.search.totalCount ?? 0;
    if (last >= products) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`search indexed ${last} of ${products} seeded products within ${timeoutMs / 1000}s`);
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100);
});
