/**
 * The router benchmark's child processes, one role each: the real users and
 * catalog subgraphs on their bench databases, the same two schemas answering
 * from memory, and the three gateways under test (our router, a bare
 * @apollo/gateway, Hive Gateway). Each announces its URL over IPC, reports
 * its CPU time when asked, and stops when told.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readEnv } from '@commerce/config';
import type { GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { FromChild, GatewayPayload, Recording, Role, RolePayloads, ToChild } from './router-protocol.ts';

export const supergraphPath = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

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

// ---------------------------------------------------------------------------
// Subgraphs

type BenchDomain = 'users' | 'catalog';

async function migrateBenchDatabase(domain: BenchDomain): Promise<string> {
  const { postgresServerUrl } = await import('@commerce/config');
  const { migrateDatabase, migrationsDir } = await import('@commerce/prisma');
  const url = readEnv(`BENCH_${domain.toUpperCase()}_DATABASE_URL`) ?? `${postgresServerUrl()}/ecommerce_${domain}_bench`;
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

async function runCatalog({ authorIds }: RolePayloads['catalog']): Promise<void> {
  const databaseUrl = await migrateBenchDatabase('catalog');
  const { startSubgraph } = await import('@commerce/subgraph-kit');
  const { catalogSubgraph } = await import('../../subgraphs/catalog/src/subgraph.ts');
  const { seedCatalog } = await import('../../subgraphs/catalog/src/seed/seed.ts');
  // Idempotent: the first run inserts the demo catalog, later runs insert nothing.
  const seeded = await seedCatalog({ databaseUrl, authorIds, publishEvents: false });
  const running = await startSubgraph(catalogSubgraph({ databaseUrl, relay: false }), { port: 0, host: '127.0.0.1' });
  serveChild(running.url, () => running.stop(), `${seeded.products} products (seeded in ${seeded.durationMs} ms)`);
}

/**
 * A subgraph on the real stack (subgraph-kit: auth, permissions, masking) and
 * the real schema, whose resolvers return recorded data. Arguments are
 * ignored; default resolvers read the recorded fields by name.
 */
async function runMemorySubgraph(name: BenchDomain, recording: Recording): Promise<void> {
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

// ---------------------------------------------------------------------------
// Gateways

async function runRouter({ subgraphUrls, routerOptions }: GatewayPayload): Promise<void> {
  const { createRouter } = await import('@commerce/router');
  const router = await createRouter({ production: true, ...routerOptions, port: 0, host: '127.0.0.1', supergraphPath, subgraphUrls });
  serveChild(router.url, () => router.stop());
}

interface BareContext {
  authorization?: string;
}

/**
 * The baseline: what `new ApolloGateway` + `startStandaloneServer` give you,
 * with the default data source. It only passes the caller's Authorization on,
 * which any deployment with signed-in users has to add.
 */
async function runBare({ subgraphUrls }: GatewayPayload): Promise<void> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    // Only the URLs change (subgraphs run on ephemeral ports).
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<BareContext>({
        url: subgraphUrls[name] ?? url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<BareContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  serveChild(url, () => server.stop());
}

/**
 * Hive Gateway with its default settings (in-flight de-duplication of
 * subgraph requests on, parse/validate caches on), on a plain node:http
 * server as its own CLI serves it. Like the bare gateway, it is only told
 * where the subgraphs run and to pass the caller's Authorization on.
 */
async function runHive({ subgraphUrls }: GatewayPayload): Promise<void> {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway');
  const runtime = createGatewayRuntime({
    supergraph: readFileSync(supergraphPath, 'utf8'),
    transportEntries: Object.fromEntries(Object.entries(subgraphUrls).map(([name, location]) => [name, { location }])),
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : {};
      },
    },
    logging: 'warn',
  });
  const server = createServer(runtime);
  const port = await listen(server);
  serveChild(`http://127.0.0.1:${port}${runtime.graphqlEndpoint}`, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.dispose();
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

// ---------------------------------------------------------------------------

const roles: { [R in Role]: (payload: RolePayloads[R]) => Promise<void> } = {
  users: runUsers,
  catalog: runCatalog,
  'memory-users': (recording) => runMemorySubgraph('users', recording),
  'memory-catalog': (recording) => runMemorySubgraph('catalog', recording),
  router: runRouter,
  bare: runBare,
  hive: runHive,
};

/** Runs `role` in this process; a failure is reported to the parent, which stops the bench. */
export async function runRole<R extends Role>(role: R, payload: RolePayloads[R]): Promise<void> {
  try {
    await roles[role](payload);
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
}
