/**
 * Two tiny federated subgraphs for router tests, independent of the real
 * domain subgraphs: `accounts` owns User, `shop` owns Product and points at
 * User. Each records the headers of every request it receives.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';

export const ACCOUNTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    me: User
    "Always fails with a FORBIDDEN code."
    adminOnly: String
    "Always fails with an unexpected error."
    broken: String
  }
  type User @key(fields: "id") {
    id: ID!
    name: String!
  }
`;

/** The shop subgraph as served. `brand` is left out of the first supergraph to test hot reload. */
export const SHOP_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    products: [Product!]!
  }
  type Product @key(fields: "id") {
    id: ID!
    name: String!
    brand: String
    seller: User!
    related: [Product!]!
  }
  type User @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;
export const SHOP_SDL_WITHOUT_BRAND = SHOP_SDL.replace('    brand: String\n', '');

const USERS: Record<string, { id: string; name: string }> = {
  u1: { id: 'u1', name: 'Ada' },
  u2: { id: 'u2', name: 'Grace' },
};
const PRODUCTS = [
  { id: 'p1', name: 'Kettle', brand: 'Acme', sellerId: 'u1' },
  { id: 'p2', name: 'Teapot', brand: 'Brew', sellerId: 'u2' },
];
type ProductRow = (typeof PRODUCTS)[number];

export interface FakeSubgraph {
  name: string;
  url: string;
  /** Headers of every request received, oldest first. */
  requests: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

async function startSubgraph(name: string, schema: GraphQLSchema): Promise<FakeSubgraph> {
  const requests: IncomingHttpHeaders[] = [];
  const server = new ApolloServer({ schema, stopOnTerminationSignals: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      requests.push(req.headers);
      return {};
    },
  });
  return { name, url, requests, stop: () => server.stop() };
}

export function startAccounts(): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(ACCOUNTS_SDL),
    resolvers: {
      Query: {
        me: () => USERS.u1,
        adminOnly: () => {
          throw new GraphQLError('Admins only.', { extensions: { code: 'FORBIDDEN' } });
        },
        broken: () => {
          throw new Error('database password is hunter2');
        },
      },
      User: {
        __resolveReference: (ref: { id: string }) => USERS[ref.id] ?? null,
      },
    },
  });
  return startSubgraph('accounts', schema);
}

export function startShop(): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(SHOP_SDL),
    resolvers: {
      Query: { products: () => PRODUCTS },
      Product: {
        __resolveReference: (ref: { id: string }) => PRODUCTS.find((p) => p.id === ref.id) ?? null,
        seller: (product: ProductRow) => ({ __typename: 'User', id: product.sellerId }),
        related: (product: ProductRow) => PRODUCTS.filter((p) => p.id !== product.id),
      },
    },
  });
  return startSubgraph('shop', schema);
}

/** Composes the two fake subgraphs (shop with or without `brand`) into a supergraph SDL. */
export function composeFixture(urls: { accounts: string; shop: string }, withBrand: boolean): string {
  const result = composeServices([
    { name: 'accounts', url: urls.accounts, typeDefs: parse(ACCOUNTS_SDL) },
    { name: 'shop', url: urls.shop, typeDefs: parse(withBrand ? SHOP_SDL : SHOP_SDL_WITHOUT_BRAND) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

/**
 * Writes a supergraph into a fresh temp dir. Routing URLs in it point nowhere
 * on purpose: the router must use the `subgraphUrls` overrides.
 */
export function writeSupergraph(withBrand: boolean): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'router-test-'));
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, composeFixture({ accounts: 'http://127.0.0.1:9/graphql', shop: 'http://127.0.0.1:9/graphql' }, withBrand));
  return { dir, path };
}

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: GraphQLResponseBody }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResponseBody };
}
