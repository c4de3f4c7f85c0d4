/**
 * The whole stack the browser tests drive, in a process of its own (forked by
 * global-setup.ts, once per vitest run): every subgraph (notifications with a
 * local SMTP sink included), the router, the Stripe mock, and the production
 * builds of the storefront and the admin console under `next start`, all on
 * ephemeral ports.
 *
 * It uses databases of its own (`ecommerce_<domain>_browser`), so the other
 * test files, which reset the `_test` databases, never pull data out from
 * under a page. Its own process keeps its environment (database URLs, Kafka
 * group prefix) away from the test workers.
 *
 * IPC: sends `{ type: 'ready', ...BrowserStackInfo }` or `{ type: 'failed', message }`;
 * stops on `{ type: 'stop' }` or when the parent goes away.
 *
 * bench:storefront runs the same stack with other settings (environment):
 *   STACK_NAME=browser           database suffix: ecommerce_<domain>_<name>
 *   STACK_PRODUCTS=120           products seeded
 *   STACK_COUNT_ROUTER_REQUESTS  when set, the storefront reaches the router
 *                                through a counting proxy; `{ type: 'requests' }`
 *                                is answered with `{ type: 'requests', count }`
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseUrl, postgresServerUrl, repoRoot } from '@commerce/config';
import { adminDir, freePort, startAdmin, startStorefront, type RunningStorefront } from '@commerce/infra';
import { domainsWithSchema, migrateDatabase, migrationsDir } from '@commerce/prisma';
import { E2E_ADMIN, startGraph, type Graph } from '../../test/support/graph.ts';

export interface BrowserStackInfo {
  storefrontUrl: string;
  /** The admin console (admin/), on its own origin; '' when admin/ has no build (only global-setup.ts builds it). */
  adminUrl: string;
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
const STACK_NAME = process.env.STACK_NAME ?? 'browser';
const PRODUCTS = Number(process.env.STACK_PRODUCTS ?? BROWSER_CATALOG_PRODUCTS);
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
    process.env[`${domain.toUpperCase()}_TEST_DATABASE_URL`] = `${postgresServerUrl()}/ecommerce_${domain}_${STACK_NAME}`;
  }
  await Promise.all(domains.map((domain) => migrateDatabase(databaseUrl(domain, 'test'), migrationsDir(domain), { log: () => {} })));
  lap('migrate');

  const mailDir = join(repoRoot(), '.cache', `${STACK_NAME}-mail`, String(process.pid));
  rmSync(mailDir, { recursive: true, force: true });
  mkdirSync(mailDir, { recursive: true });
  let mailCount = 0;

  // The storefront's address goes into the emails' links, so it is chosen before the graph starts.
  const storefrontPort = await freePort();
  // `localhost`, as a shopper of `npm start` has it: Next builds redirects of route handlers on
  // `localhost` whatever the Host header said, and cookies set on 127.0.0.1 would not follow them.
  const storefrontUrl = `http://localhost:${storefrontPort}`;
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
  let admin: RunningStorefront | undefined;
  const counter = process.env.STACK_COUNT_ROUTER_REQUESTS ? await startCountingProxy(graph.routerUrl) : undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([storefront?.stop(), admin?.stop()]);
    counter?.server.close();
    await graph.stop();
    rmSync(mailDir, { recursive: true, force: true });
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop().finally(() => process.exit(0));
    if (message.type === 'requests') send({ type: 'requests', count: counter?.count() ?? -1 });
  });
  // vitest killed or crashed: take the servers down with us.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));

  const authorIds = await registerReviewers(graph.subgraph('users').url);
  const { seedCatalog } = await import('../../../subgraphs/catalog/src/index.ts');
  const seeded = await seedCatalog({ databaseUrl: databaseUrl('catalog', 'test'), authorIds, productCount: PRODUCTS });
  lap('seed');
  // Search and inventory learn the catalog from product.created events: wait until pages can rely on both.
  await waitForIndexedCatalog(graph.routerUrl);
  lap('index');

  storefront = await startStorefront({
    routerUrl: counter?.url ?? graph.routerUrl,
    port: storefrontPort,
    publicUrl: storefrontUrl,
    // The browser's graphql-ws goes to the router itself, not through the counting proxy.
    env: { APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', PUBLIC_ROUTER_URL: graph.routerUrl },
    stdio: process.env.STOREFRONT_LOGS === 'inherit' ? 'inherit' : 'ignore',
  });
  lap('storefront');

  // global-setup.ts builds the admin first; a caller that did not (bench:storefront) runs without it.
  const adminPort = await freePort();
  admin = !existsSync(join(adminDir(), '.next', 'BUILD_ID')) ? undefined : await startAdmin({
    routerUrl: graph.routerUrl,
    port: adminPort,
    publicUrl: `http://localhost:${adminPort}`,
    env: { APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', STOREFRONT_URL: storefrontUrl },
    stdio: process.env.STOREFRONT_LOGS === 'inherit' ? 'inherit' : 'ignore',
  });
  lap('admin');

  const info: BrowserStackInfo = {
    storefrontUrl,
    adminUrl: admin?.url ?? '',
    routerUrl: graph.routerUrl,
    mailDir,
    admin: E2E_ADMIN,
    products: seeded.products,
    timings,
  };
  send({ type: 'ready', ...info });
}

/** An HTTP proxy in front of the router that counts the requests it forwards (the storefront's GraphQL requests). */
async function startCountingProxy(routerUrl: string): Promise<{ url: string; server: Server; count(): number }> {
  const target = new URL(routerUrl);
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}${target.pathname}`, server, count: () => count };
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

/** Waits until search finds every product the catalog shows (drafts and archived ones are in neither). */
async function waitForIndexedCatalog(routerUrl: string, timeoutMs = 180_000): Promise<void> {
  const listed = await postGraphQL<{ products: { totalCount: number } }>(routerUrl, '{ products(first: 1) { totalCount } }');
  const products = listed.data?.products.totalCount;
  if (products === undefined) throw new Error(`the catalog did not answer: ${JSON.stringify(listed.errors)}`);
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    const result = await postGraphQL<{ search: { totalCount: number } }>(routerUrl, '{ search(first: 1) { totalCount } }');
    last = result.data?.search.totalCount ?? 0;
    if (last >= products) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`search indexed ${last} of the catalog's ${products} products within ${timeoutMs / 1000}s`);
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100);
});
