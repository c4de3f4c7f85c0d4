/**
 * For the response cache tests: two small federated subgraphs that declare
 * `@cacheControl` hints the way the real ones do (catalog: public products
 * with prices; accounts: public user names, a personal `me`), a redis-server
 * of the test's own that it may kill, and Kafka topics of the test's own
 * carrying change events shaped like the real ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { identityFromAuthorization, isAdmin } from '@commerce/auth';
import { kafkaBrokers } from '@commerce/config';

const CACHE_CONTROL = `
  directive @cacheControl(maxAge: Int, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${CACHE_CONTROL}
  type Query {
    products: [Product!]! @cacheControl(maxAge: 300)
    product(id: ID!): Product
    "Admins see drafts too; anonymous and shoppers only active products."
    productCount: Int! @cacheControl(maxAge: 300)
    "Public, and always fails."
    failing: String @cacheControl(maxAge: 300)
  }
  type Product @key(fields: "id") @cacheControl(maxAge: 300) {
    id: ID!
    name: String!
    variants: [ProductVariant!]!
    reviewer: User!
  }
  type ProductVariant @key(fields: "id") @cacheControl(maxAge: 300) {
    id: ID!
    sku: String!
    price: Int!
  }
  type User @key(fields: "id", resolvable: false) @cacheControl(inheritMaxAge: true) {
    id: ID!
  }
`;

const ACCOUNTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${CACHE_CONTROL}
  type Query {
    "The caller: personal, although it returns a type whose public fields are cacheable."
    me: User @cacheControl(maxAge: 0)
  }
  type User @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
    email: String! @cacheControl(maxAge: 0)
  }
`;

export const P1 = '00000000-0000-4000-8000-000000000001';
export const P2 = '00000000-0000-4000-8000-000000000002';
export const V1 = '00000000-0000-4000-8000-0000000000a1';
export const V2 = '00000000-0000-4000-8000-0000000000a2';
export const U1 = '00000000-0000-4000-8000-0000000000c1';
export const U2 = '00000000-0000-4000-8000-0000000000c2';

interface VariantRow {
  id: string;
  sku: string;
  price: number;
}
interface ProductRow {
  id: string;
  name: string;
  variants: VariantRow[];
  reviewerId: string;
}

export const USERS: Record<string, { id: string; name: string; email: string }> = {
  [U1]: { id: U1, name: 'Ada', email: 'ada@example.test' },
  [U2]: { id: U2, name: 'Grace', email: 'grace@example.test' },
};

interface FakeContext {
  authorization?: string | undefined;
}

function authorizationOf(context: unknown): string | undefined {
  return typeof context === 'object' && context !== null && 'authorization' in context && typeof context.authorization === 'string' ? context.authorization : undefined;
}

export interface FakeSubgraph {
  url: string;
  /** Headers of every request received, oldest first. */
  requests: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

export interface FakeCatalog extends FakeSubgraph {
  setPrice(variantId: string, price: number): void;
  /** Each resolution of `products` waits this long first (to hold a request in flight). */
  delayMs: number;
}

async function serve(schema: ReturnType<typeof buildSubgraphSchema>): Promise<FakeSubgraph> {
  const requests: IncomingHttpHeaders[] = [];
  const server = new ApolloServer<FakeContext>({ schema, stopOnTerminationSignals: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      requests.push(req.headers);
      return { authorization: req.headers.authorization };
    },
  });
  return { url, requests, stop: () => server.stop() };
}

export async function startFakeCatalog(): Promise<FakeCatalog> {
  const products: ProductRow[] = [
    { id: P1, name: 'Kettle', reviewerId: U1, variants: [{ id: V1, sku: 'KET-1', price: 2500 }] },
    { id: P2, name: 'Teapot', reviewerId: U2, variants: [{ id: V2, sku: 'TEA-1', price: 1800 }] },
  ];
  const variant = (id: string): VariantRow | undefined => products.flatMap((p) => p.variants).find((v) => v.id === id);
  const state = { delayMs: 0 };
  const schema = buildSubgraphSchema({
    typeDefs: parse(CATALOG_SDL),
    resolvers: {
      Query: {
        products: async () => {
          // Read first, then take long: a slow request holds what it read.
          const read = structuredClone(products);
          if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
          return read;
        },
        product: (_: unknown, args: { id: string }) => products.find((p) => p.id === args.id) ?? null,
        failing: () => {
          throw new GraphQLError('Try again.', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
        },
        productCount: async (_: unknown, __: unknown, context: unknown) =>
          isAdmin(await identityFromAuthorization(authorizationOf(context))) ? products.length + 1 : products.length,
      },
      Product: {
        __resolveReference: (ref: { id: string }) => products.find((p) => p.id === ref.id) ?? null,
        reviewer: (product: ProductRow) => ({ __typename: 'User', id: product.reviewerId }),
      },
      ProductVariant: { __resolveReference: (ref: { id: string }) => variant(ref.id) ?? null },
    },
  });
  const served = await serve(schema);
  return {
    ...served,
    setPrice(variantId, price) {
      const row = variant(variantId);
      if (!row) throw new Error(`no variant ${variantId}`);
      row.price = price;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
  };
}

export async function startFakeAccounts(): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(ACCOUNTS_SDL),
    resolvers: {
      Query: {
        me: async (_: unknown, __: unknown, context: unknown) => {
          const identity = await identityFromAuthorization(authorizationOf(context));
          return identity ? (USERS[identity.userId] ?? null) : null;
        },
      },
      User: {
        __resolveReference: (ref: { id: string }) => USERS[ref.id] ?? null,
        email: async (user: { id: string; email: string }, _: unknown, context: unknown) => {
          const identity = await identityFromAuthorization(authorizationOf(context));
          if (identity?.userId !== user.id) throw new GraphQLError('Only the user sees their email.', { extensions: { code: 'FORBIDDEN' } });
          return user.email;
        },
      },
    },
  });
  return serve(schema);
}

/** A supergraph file for the two fake subgraphs (their real URLs come from `subgraphUrls`). */
export function writeCacheSupergraph(): { dir: string; path: string } {
  const result = composeServices([
    { name: 'catalog', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(CATALOG_SDL) },
    { name: 'accounts', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(ACCOUNTS_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'router-cache-test-'));
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return { dir, path };
}

// ---------------------------------------------------------------------------
// A redis-server of the test's own, to stop and start.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL: no goodbye to the clients. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs without closing its connections. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
}

export function ownRedis(port: number): OwnRedis {
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        } finally {
          probe.disconnect();
        }
      }
    },
    signal(signal) {
      child?.kill(signal);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
}

// ---------------------------------------------------------------------------
// Change events on topics of the test's own.

export interface TestTopics {
  product: string;
  stockLevel: string;
  user: string;
  all: string[];
  publish(topic: string, type: string, aggregateId: string, payload: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function testTopics(): Promise<TestTopics> {
  const run = randomUUID().slice(0, 8);
  const names = { product: `test-rc-${run}.product`, stockLevel: `test-rc-${run}.stock-level`, user: `test-rc-${run}.user` };
  const kafka = new Kafka({ clientId: 'router-cache-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(names).map((topic) => ({ topic, numPartitions: 2 })) });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    ...names,
    all: Object.values(names),
    async publish(topic, type, aggregateId, payload) {
      const envelope = { eventId: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId, payload };
      await producer.send({ topic, acks: -1, messages: [{ key: aggregateId, value: JSON.stringify(envelope) }] });
    },
    async close() {
      await producer.disconnect();
      await admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** A product.price_changed payload for one variant. */
export const priceChanged = (productId: string, variantId: string, amountMinor: number): Record<string, unknown> => ({
  productId,
  variantId,
  sku: 'SKU-1',
  currency: 'USD',
  previousAmountMinor: null,
  amountMinor,
});

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
