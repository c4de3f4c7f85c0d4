/**
 * Identical subgraph queries in flight at the same moment share one HTTP call;
 * different tokens and mutations never do. The subgraph is a real in-process
 * server whose resolvers wait at a gate, so the test decides when calls overlap.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLResolveInfo } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { createLogger } from '@commerce/observability';
import type { RouterContext } from '../src/context.ts';
import { RouterDataSource } from '../src/datasource.ts';
import { createSubgraphFetcher } from '../src/fetcher.ts';
import { createRouter, type RunningRouter } from '../src/router.ts';
import { post } from './fixtures.ts';

/** Apollo Server's cache-control plugin adds `cacheControl` to every resolver's info. */
function setCacheHint(info: GraphQLResolveInfo, hint: { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' }): void {
  (info as GraphQLResolveInfo & { cacheControl: { setCacheHint(hint: object): void } }).cacheControl.setCacheHint(hint);
}

const logger = createLogger({ service: 'router-test', level: 'silent' });

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    stock(sku: String!): Int!
    "Public: the same for everyone (max-age 30, public)."
    price(sku: String!): Int!
    "Personal: answered private."
    wishlistSize: Int!
    failing: Int
  }
  type Mutation {
    reserve(sku: String!): Int!
  }
`;

/** Calls the subgraph received (one per HTTP request), and a gate its resolvers wait at. */
const calls: { authorization: string | undefined }[] = [];
let openGate: () => void = () => {};
let gate: Promise<void> = Promise.resolve();
let reserved = 0;

function closeGate(): void {
  gate = new Promise((resolve) => {
    openGate = resolve;
  });
}

/** Opens the gate once the subgraph has seen `count` calls, or after `ms` (then the assertion on calls tells). */
async function openGateAt(count: number, ms = 300): Promise<void> {
  const deadline = Date.now() + ms;
  while (calls.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  // Give a joining request time to reach the router's in-flight table too.
  await new Promise((resolve) => setTimeout(resolve, 50));
  openGate();
}

let subgraph: ApolloServer;
let router: RunningRouter;
let dir: string;

beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse(SDL),
    resolvers: {
      Query: {
        stock: async () => {
          await gate;
          return 7;
        },
        price: async (_parent: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
          setCacheHint(info, { maxAge: 30, scope: 'PUBLIC' });
          await gate;
          return 1999;
        },
        wishlistSize: async (_parent: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
          setCacheHint(info, { maxAge: 30, scope: 'PRIVATE' });
          await gate;
          return 3;
        },
        failing: async () => {
          await gate;
          throw new GraphQLError('Stock service is sulking.', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
        },
      },
      Mutation: {
        reserve: async () => {
          await gate;
          reserved += 1;
          return reserved;
        },
      },
    },
  });
  subgraph = new ApolloServer({ schema, stopOnTerminationSignals: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(subgraph, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      calls.push({ authorization: req.headers.authorization });
      return {};
    },
  });
  const composed = composeServices([{ name: 'stock', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(SDL) }]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  dir = mkdtempSync(join(tmpdir(), 'router-dedupe-'));
  writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
  router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath: join(dir, 'supergraph.graphql'),
    subgraphUrls: { stock: url },
    production: true,
    subscriptions: false,
    logger,
  });
});

afterAll(async () => {
  await router?.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  openGate();
  calls.length = 0;
});

describe('in-flight de-duplication', () => {
  it('sends two concurrent identical queries to the subgraph once, and answers both', async () => {
    closeGate();
    const query = { query: 'query Stock { stock(sku: "KETTLE-1") }' };
    const both = Promise.all([post(router.url, query), post(router.url, query)]);
    await openGateAt(2);
    const [first, second] = await both;
    expect(calls).toHaveLength(1);
    expect(first.body).toEqual({ data: { stock: 7 } });
    expect(second.body).toEqual({ data: { stock: 7 } });
    // Settled calls are forgotten: the next identical query is a new call.
    expect((await post(router.url, query)).body).toEqual({ data: { stock: 7 } });
    expect(calls).toHaveLength(2);
  });

  it('does not share between different request ids or trace contexts only', async () => {
    closeGate();
    const query = { query: '{ stock(sku: "KETTLE-2") }' };
    const both = Promise.all([
      post(router.url, query, { 'x-request-id': 'req-a', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
      post(router.url, query, { 'x-request-id': 'req-b' }),
    ]);
    await openGateAt(2);
    await both;
    // Request ids differ per client request and never change the answer: still one call.
    expect(calls).toHaveLength(1);
  });

  it('never shares between different Authorization headers', async () => {
    const ada = await signAccessToken({ userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] });
    const grace = await signAccessToken({ userId: 'u2', email: 'grace@example.com', roles: ['CUSTOMER'] });
    closeGate();
    const query = { query: '{ stock(sku: "KETTLE-3") }' };
    const all = Promise.all([
      post(router.url, query, { authorization: `Bearer ${ada.token}` }),
      post(router.url, query, { authorization: `Bearer ${grace.token}` }),
      post(router.url, query),
    ]);
    await openGateAt(3);
    const answers = await all;
    expect(calls).toHaveLength(3);
    expect(calls.map((call) => call.authorization).sort()).toEqual([`Bearer ${ada.token}`, `Bearer ${grace.token}`, undefined].sort());
    for (const answer of answers) expect(answer.body).toEqual({ data: { stock: 7 } });
  });

  it('shares a shopper’s fetch the subgraph answered public with other shoppers and anonymous callers, without the tokens', async () => {
    const ada = await signAccessToken({ userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] });
    const grace = await signAccessToken({ userId: 'u2', email: 'grace@example.com', roles: ['CUSTOMER'] });
    const query = { query: '{ price(sku: "KETTLE-5") }' };
    // Not known yet: the first call carries the token, and its answer says public.
    expect((await post(router.url, query, { authorization: `Bearer ${ada.token}` })).body).toEqual({ data: { price: 1999 } });
    expect(calls).toEqual([{ authorization: `Bearer ${ada.token}` }]);
    calls.length = 0;
    closeGate();
    const all = Promise.all([
      post(router.url, query, { authorization: `Bearer ${ada.token}` }),
      post(router.url, query, { authorization: `Bearer ${grace.token}` }),
      post(router.url, query),
    ]);
    await openGateAt(3);
    const answers = await all;
    expect(calls).toEqual([{ authorization: undefined }]);
    for (const answer of answers) expect(answer.body).toEqual({ data: { price: 1999 } });
  });

  it('keeps a private answer per token, and an admin’s fetch apart, even when the same body was public', async () => {
    const ada = await signAccessToken({ userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] });
    const grace = await signAccessToken({ userId: 'u2', email: 'grace@example.com', roles: ['CUSTOMER'] });
    const admin = await signAccessToken({ userId: 'u3', email: 'admin@example.com', roles: ['ADMIN'] });
    const personal = { query: '{ wishlistSize }' };
    await post(router.url, personal, { authorization: `Bearer ${ada.token}` });
    calls.length = 0;
    closeGate();
    const shoppers = Promise.all([
      post(router.url, personal, { authorization: `Bearer ${ada.token}` }),
      post(router.url, personal, { authorization: `Bearer ${grace.token}` }),
    ]);
    await openGateAt(2);
    await shoppers;
    expect(calls.map((call) => call.authorization).sort()).toEqual([`Bearer ${ada.token}`, `Bearer ${grace.token}`].sort());

    const publicQuery = { query: '{ price(sku: "KETTLE-6") }' };
    await post(router.url, publicQuery);
    calls.length = 0;
    closeGate();
    const mixed = Promise.all([post(router.url, publicQuery, { authorization: `Bearer ${admin.token}` }), post(router.url, publicQuery)]);
    await openGateAt(2);
    await mixed;
    expect(calls.map((call) => call.authorization).sort()).toEqual([`Bearer ${admin.token}`, undefined].sort());
  });

  it('never shares mutations', async () => {
    closeGate();
    const mutation = { query: 'mutation { reserve(sku: "KETTLE-4") }' };
    const both = Promise.all([post(router.url, mutation), post(router.url, mutation)]);
    await openGateAt(2);
    const answers = await both;
    expect(calls).toHaveLength(2);
    expect(answers.map((answer) => (answer.body.data as { reserve: number }).reserve).sort()).toEqual([1, 2]);
  });

  it('delivers a shared call’s error to every caller', async () => {
    closeGate();
    const query = { query: '{ failing }' };
    const both = Promise.all([post(router.url, query), post(router.url, query)]);
    await openGateAt(2);
    const answers = await both;
    expect(calls).toHaveLength(1);
    for (const answer of answers) {
      expect(answer.body.data).toEqual({ failing: null });
      expect(answer.body.errors?.[0]).toMatchObject({ message: 'Stock service is sulking.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
  });
});

describe('RouterDataSource sharing', () => {
  let server: Server;
  let base: string;
  let received = 0;
  const held: (() => void)[] = [];
  const release = (): void => {
    for (const answer of held.splice(0)) answer();
  };
  const fetcher = createSubgraphFetcher();

  beforeAll(async () => {
    server = createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => {
        const answer = () => {
          if (req.url === '/drop') {
            req.socket.destroy();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { stock: { sku: 'KETTLE-1', levels: [1, 2] } } }));
        };
        // Hold every answer until the test has sent all its calls.
        held.push(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fetcher.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    received = 0;
  });

  const context: RouterContext = { identity: null, authorization: undefined, requestId: 'r1', incomingHeaders: {} };
  type Kind = 'query' | 'mutation';
  const fetchOptions = (subgraph: Kind, client: Kind) =>
    ({
      kind: 'incoming operation',
      request: { query: `${subgraph} Op { stock { sku levels } }`, variables: {}, operationName: 'Op' },
      incomingRequestContext: { operation: { operation: client }, overallCachePolicy: undefined },
      context,
    }) as unknown as Parameters<RouterDataSource['process']>[0];

  /** Starts `count` concurrent calls, waits until the server holds them, then lets it answer. */
  async function concurrently(source: RouterDataSource, count: number, subgraph: Kind = 'query', client: Kind = subgraph) {
    const settled = Promise.allSettled(Array.from({ length: count }, () => source.process(fetchOptions(subgraph, client))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    return settled;
  }

  it('gives each caller its own parsed response', async () => {
    const source = new RouterDataSource({ url: `${base}/ok`, fetcher: fetcher.fetch });
    const [first, second] = await concurrently(source, 2);
    expect(received).toBe(1);
    if (first?.status !== 'fulfilled' || second?.status !== 'fulfilled') throw new Error('both calls should succeed');
    expect(first.value.data).toEqual(second.value.data);
    expect(first.value.data).not.toBe(second.value.data);
    // The gateway merges into what it gets: one caller's changes never reach the other.
    (first.value.data as { stock: { levels: number[] } }).stock.levels.push(3);
    expect((second.value.data as { stock: { levels: number[] } }).stock.levels).toEqual([1, 2]);
    expect(source.inflightCount).toBe(0);
  });

  it('delivers a failed call to every caller, then forgets it', async () => {
    const source = new RouterDataSource({ url: `${base}/drop`, fetcher: fetcher.fetch });
    const results = await concurrently(source, 2);
    expect(received).toBe(1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    expect(source.inflightCount).toBe(0);
  });

  it('sends mutations one by one', async () => {
    const source = new RouterDataSource({ url: `${base}/ok`, fetcher: fetcher.fetch });
    await concurrently(source, 2, 'mutation');
    expect(received).toBe(2);
  });

  it('decides by the subgraph operation too, not only the client’s', async () => {
    const source = new RouterDataSource({ url: `${base}/ok`, fetcher: fetcher.fetch });
    await concurrently(source, 2, 'mutation', 'query');
    expect(received).toBe(2);
  });

  it('never shares the reads of a client mutation', async () => {
    const source = new RouterDataSource({ url: `${base}/ok`, fetcher: fetcher.fetch });
    await concurrently(source, 2, 'query', 'mutation');
    expect(received).toBe(2);
  });

  it('can be switched off', async () => {
    const source = new RouterDataSource({ url: `${base}/ok`, fetcher: fetcher.fetch, dedupe: false });
    await concurrently(source, 2);
    expect(received).toBe(2);
  });
});
