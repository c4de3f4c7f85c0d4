/**
 * `npm start`: the whole graph on one machine, from a fresh clone.
 *   1. PostgreSQL databases, Redis and Kafka (KRaft) — reused if running, started if not
 *   2. Prisma clients generated, committed migrations applied
 *   3. demo data: an admin, a few reviewers, and the seeded catalog (idempotent)
 *   4. every subgraph in this one process, each on its own port, then the router
 *   5. the storefront: its production build (rebuilt only when its sources
 *      changed: a hash stored in storefront/.next/source-hash), `next start`
 *      on :3000 (STOREFRONT_PORT) as a child process, stopped with the rest
 *   6. the admin console (admin/), built and started the same way on :3001 (ADMIN_PORT)
 * Production runs one subgraph per container instead (deploy/).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { databaseUrl, readEnv, repoRoot, routerPort, subgraphPort } from '@commerce/config';
import { ensureAdminBuild, ensureInfrastructure, ensureStorefrontBuild, startAdmin, startStorefront } from '@commerce/infra';
import { migrateAll } from '@commerce/prisma';
import { installSignalHandlers, startSubgraph, type Stoppable } from '@commerce/subgraph-kit';
import { createRouter } from '@commerce/router';

process.env.APP_ENV ??= 'development';
// One readable line an event, with the service's name (LOG_FORMAT=json for raw JSON).
process.env.LOG_FORMAT ??= 'pretty';
const started = performance.now();
const say = (message: string): void => void process.stderr.write(`${message}\n`);

say('▶ infrastructure');
await ensureInfrastructure({ env: 'development' });

say('▶ Prisma clients and migrations');
const generated = spawnSync('npm', ['run', '--silent', 'db:generate'], { cwd: repoRoot(), stdio: 'inherit' });
if (generated.status !== 0) throw new Error('Prisma client generation failed');
await migrateAll('development', { log: () => {} });

// Subgraph modules import their generated Prisma clients, so load them only now.
const { usersSubgraph } = await import('../subgraphs/users/src/index.ts');
const { catalogSubgraph, seedCatalog } = await import('../subgraphs/catalog/src/index.ts');
const { cartSubgraph } = await import('../subgraphs/cart/src/index.ts');
const { ordersSubgraph } = await import('../subgraphs/orders/src/index.ts');
const { paymentsSubgraph } = await import('../subgraphs/payments/src/index.ts');
const { inventorySubgraph } = await import('../subgraphs/inventory/src/index.ts');
const { notificationsSubgraph, startSmtpSink } = await import('../subgraphs/notifications/src/index.ts');
const { searchSubgraph } = await import('../subgraphs/search/src/index.ts');

// Demo stock for every product inventory hears of (a named strategy, "zero" in production).
process.env.INVENTORY_INITIAL_STOCK ??= 'demo';

const running: Stoppable[] = [];
const urls: Record<string, string> = {};
say('▶ subgraphs');
const users = await startSubgraph(usersSubgraph(), { port: subgraphPort('users') });
running.push(users);
urls.users = users.url;

say('▶ demo data');
const reviewerIds = await ensureDemoReviewers(users.url);
const seeded = await seedCatalog({ databaseUrl: databaseUrl('catalog'), authorIds: reviewerIds });
say(`  catalog: ${seeded.products} products (${Object.entries(seeded.inserted).map(([table, n]) => `${n} ${table}`).join(', ')} inserted)`);

// Email goes to a local SMTP sink (messages saved under .cache/mail) unless SMTP_HOST is set.
if (!readEnv('SMTP_HOST')) {
  const sink = await startSmtpSink({ port: 1025, saveDir: join(repoRoot(), '.cache', 'mail') });
  running.push({ name: 'smtp-sink', stop: () => sink.close() });
}

const cart = await startSubgraph(cartSubgraph(), { port: subgraphPort('cart') });
running.push(cart);
urls.cart = cart.url;
// Each subgraph has its own context type, so each is started by name.
const rest = [
  await startSubgraph(catalogSubgraph(), { port: subgraphPort('catalog') }),
  await startSubgraph(inventorySubgraph(), { port: subgraphPort('inventory') }),
  await startSubgraph(ordersSubgraph({ cartUrl: cart.url }), { port: subgraphPort('orders') }),
  await startSubgraph(paymentsSubgraph(), { port: subgraphPort('payments') }),
  await startSubgraph(notificationsSubgraph(), { port: subgraphPort('notifications') }),
  await startSubgraph(searchSubgraph(), { port: subgraphPort('search') }),
];
for (const subgraph of rest) {
  running.push(subgraph);
  urls[subgraph.name] = subgraph.url;
}

say('▶ router');
const router = await createRouter({ port: routerPort(), subgraphUrls: urls });
running.unshift(router); // stop the router first, so no request reaches a stopped subgraph

say('▶ storefront');
const build = ensureStorefrontBuild();
say(build.built ? `  built in ${(build.durationMs / 1000).toFixed(0)}s` : '  build is up to date (storefront/.next reused)');
let storefrontUrl: string;
try {
  const storefront = await startStorefront({
    routerUrl: router.url,
    port: Number(readEnv('STOREFRONT_PORT', '3000')),
    host: '0.0.0.0',
    publicUrl: readEnv('STOREFRONT_URL', `http://localhost:${readEnv('STOREFRONT_PORT', '3000')}`),
  });
  storefrontUrl = storefront.url;
  running.unshift({ name: 'storefront', stop: () => storefront.stop() }); // stopped first: no page asks a stopped router
} catch (error) {
  // The graph is still useful without the shop (e.g. port 3000 is taken): say so and go on.
  storefrontUrl = `not running: ${error instanceof Error ? error.message : String(error)}`;
}

say('▶ admin console');
const adminBuild = ensureAdminBuild();
say(adminBuild.built ? `  built in ${(adminBuild.durationMs / 1000).toFixed(0)}s` : '  build is up to date (admin/.next reused)');
let adminUrl: string;
try {
  const admin = await startAdmin({
    routerUrl: router.url,
    port: Number(readEnv('ADMIN_PORT', '3001')),
    host: '0.0.0.0',
    publicUrl: readEnv('ADMIN_URL', `http://localhost:${readEnv('ADMIN_PORT', '3001')}`),
    env: { STOREFRONT_URL: readEnv('STOREFRONT_URL', `http://localhost:${readEnv('STOREFRONT_PORT', '3000')}`) },
  });
  adminUrl = admin.url;
  running.unshift({ name: 'admin', stop: () => admin.stop() });
} catch (error) {
  adminUrl = `not running: ${error instanceof Error ? error.message : String(error)}`;
}
installSignalHandlers(running);

const seconds = ((performance.now() - started) / 1000).toFixed(1);
say(`
Ready in ${seconds}s.
  Storefront                           ${storefrontUrl}
  Admin console                        ${adminUrl}
  Router (Apollo Sandbox, graphql-ws)  ${router.url}
${Object.entries(urls).map(([name, url]) => `  ${name.padEnd(36)} ${url}`).join('\n')}
  Admin sign-in                        ${readEnv('ADMIN_EMAIL', 'admin@example.com')} (password in README)
  Test cards (local payment provider)  pm_card_visa succeeds, pm_card_chargeDeclined declines
  Outgoing email                       ${readEnv('SMTP_HOST') ? readEnv('SMTP_HOST') : '.cache/mail (local SMTP sink on :1025)'}
Ctrl-C stops everything; Kafka keeps running (npm run infra:down stops it).`);

/**
 * Reviewers for the seeded reviews, registered through the users subgraph's own
 * API so the seed never touches another domain's database. Idempotent: an
 * existing reviewer just signs in.
 */
async function ensureDemoReviewers(usersUrl: string): Promise<string[]> {
  const names = ['Ada Byron', 'Grace Hopper', 'Alan Kay', 'Barbara Liskov', 'Edsger Dijkstra', 'Margaret Hamilton',
    'Donald Knuth', 'Frances Allen', 'Ken Thompson', 'Radia Perlman', 'Tim Berners-Lee', 'Katherine Johnson'];
  const password = 'demo-reviewer-password-1';
  const ids: string[] = [];
  for (const name of names) {
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@demo.example.com`;
    const register = await callUsers(usersUrl,
      'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }',
      { input: { email, password, name } });
    if (register.data?.register) {
      ids.push(register.data.register.user.id);
      continue;
    }
    const login = await callUsers(usersUrl, 'mutation($input: LoginInput!) { login(input: $input) { user { id } } }',
      { input: { email, password } });
    if (!login.data?.login) throw new Error(`Could not create demo reviewer ${email}: ${JSON.stringify(login.errors)}`);
    ids.push(login.data.login.user.id);
  }
  return ids;
}

interface AuthResult {
  data?: { register?: { user: { id: string } }; login?: { user: { id: string } } } | null;
  errors?: unknown[];
}

async function callUsers(url: string, query: string, variables: Record<string, unknown>): Promise<AuthResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as AuthResult;
}
