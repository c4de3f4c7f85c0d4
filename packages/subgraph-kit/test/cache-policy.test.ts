/**
 * The kit's cache-policy plugin against Apollo's own cache-control plugin as
 * the oracle: the same schema, resolvers and operations through two servers,
 * one with each plugin. Where every selected field runs, the Cache-Control
 * headers are identical; where some do not (a null parent, an empty list,
 * @skip), ours may only be stricter.
 */
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { gql } from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlHeader, cachePolicyPlugin, operationCacheHints } from '../src/cache-policy.js';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  type Query {
    products(first: Int = 2): ProductConnection! @cacheControl(maxAge: 300)
    product(id: ID!): Product
    hinted(id: ID!): Product @cacheControl(maxAge: 30)
    plain: String
    hintedScalar: String @cacheControl(maxAge: 45)
    me: User @cacheControl(maxAge: 0)
    search: [SearchResult!]! @cacheControl(maxAge: 120)
    node: Node @cacheControl(maxAge: 90)
    failing: String @cacheControl(maxAge: 300)
  }

  type Mutation {
    touch: Product
  }

  type ProductConnection @cacheControl(inheritMaxAge: true) {
    edges: [ProductEdge!]!
    totalCount: Int!
  }

  type ProductEdge @cacheControl(inheritMaxAge: true) {
    node: Product!
  }

  interface Node {
    id: ID!
  }

  type Product implements Node @key(fields: "id") @cacheControl(maxAge: 300) {
    id: ID!
    name: String!
    price: Money
    rating: Rating! @cacheControl(maxAge: 60)
    reviews: [Review!]! @cacheControl(maxAge: 60)
    stock: Int @cacheControl(maxAge: 10)
    owner: User
  }

  type Money @cacheControl(inheritMaxAge: true) {
    amount: Int!
  }

  type Rating @cacheControl(inheritMaxAge: true) {
    average: Float
  }

  type Review implements Node @cacheControl(maxAge: 40) {
    id: ID!
    title: String!
    author: User
  }

  type User @cacheControl(maxAge: 20, scope: PRIVATE) {
    id: ID!
    email: String! @cacheControl(maxAge: 5)
  }

  union SearchResult = Product | Review
`;

const product = (id: string, reviews = 1) => ({
  __typename: 'Product',
  id,
  name: `Product ${id}`,
  price: { amount: 100 },
  rating: { average: 4.5 },
  reviews: Array.from({ length: reviews }, (_, i) => ({ __typename: 'Review', id: `${id}-r${i}`, title: 'Good', author: { id: 'u1', email: 'a@b.c' } })),
  stock: 3,
  owner: { id: 'u1', email: 'a@b.c' },
});

const resolvers = {
  Query: {
    products: () => ({ edges: [{ node: product('p1') }, { node: product('p2', 0) }], totalCount: 2 }),
    product: (_: unknown, args: { id: string }) => (args.id === 'missing' ? null : product(args.id)),
    hinted: (_: unknown, args: { id: string }) => product(args.id),
    plain: () => 'plain',
    hintedScalar: () => 'hinted',
    me: () => ({ id: 'u1', email: 'a@b.c' }),
    search: () => [product('p3'), { __typename: 'Review', id: 'r9', title: 'Fine', author: null }],
    node: () => product('p4'),
    failing: () => {
      throw new Error('boom');
    },
  },
  Mutation: { touch: () => product('p5') },
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
  SearchResult: { __resolveType: (value: { __typename: string }) => value.__typename },
  Product: { __resolveReference: (reference: { id: string }) => product(reference.id) },
};

const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
let apollos: ApolloServer<BaseContext>;
let ours: ApolloServer<BaseContext>;

beforeAll(async () => {
  apollos = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  ours = new ApolloServer({
    schema,
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), cachePolicyPlugin()],
  });
  await Promise.all([apollos.start(), ours.start()]);
});

afterAll(async () => {
  await Promise.all([apollos?.stop(), ours?.stop()]);
});

async function headers(query: string, variables?: Record<string, unknown>): Promise<{ apollo?: string; ours?: string }> {
  const request = { query, ...(variables ? { variables } : {}) };
  const [a, b] = await Promise.all([apollos.executeOperation(request), ours.executeOperation(request)]);
  // Both servers must answer alike; only the header is under test.
  expect(JSON.stringify(b.body)).toBe(JSON.stringify(a.body));
  return { apollo: a.http.headers.get('cache-control'), ours: b.http.headers.get('cache-control') };
}

const maxAgeOf = (header: string | undefined): number => Number(/max-age=(\d+)/.exec(header ?? '')?.[1] ?? 0);

describe('cache policy plugin', () => {
  it.each([
    ['a listing with connection and edges that inherit', '{ products { totalCount edges { node { id name price { amount } } } } }'],
    ['a field hint shorter than its type', '{ products { edges { node { id rating { average } } } } }'],
    ['a scalar field hint', '{ products { edges { node { id stock } } } }'],
    ['an unhinted root field', '{ plain }'],
    ['a hinted root scalar', '{ hintedScalar }'],
    ['a root field returning a hinted type', '{ product(id: "p1") { id name } }'],
    ['a root field hint over its type', '{ hinted(id: "p1") { id name } }'],
    ['a private type', '{ product(id: "p1") { id owner { id } } }'],
    ['a private type with a field hint', '{ me { id email } }'],
    ['a union with fragments', '{ search { ... on Product { id stock } ... on Review { id title } } }'],
    ['an interface with a fragment', '{ node { id ... on Product { name rating { average } } } }'],
    ['named fragments and aliases', '{ a: product(id: "p1") { ...P } b: hinted(id: "p2") { ...P } } fragment P on Product { id reviews { id title } }'],
    ['__typename only', '{ products { edges { node { __typename } } } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
    ['_entities', '{ _entities(representations: [{ __typename: "Product", id: "p1" }]) { ... on Product { id name } } }'],
    ['_entities with a field hint', '{ _entities(representations: [{ __typename: "Product", id: "p1" }]) { ... on Product { id stock } } }'],
    ['_entities with no representations', '{ _entities(representations: []) { ... on Product { id name } } }'],
    [
      '_entities from variables',
      {
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name } } }',
        variables: { r: [{ __typename: 'Product', id: 'p1' }, { __typename: 'Product', id: 'p2' }] },
      },
    ],
    ['_service', '{ _service { sdl } }'],
    ['a mutation', 'mutation { touch { id name } }'],
    ['an error', '{ failing }'],
    ['a validation error', '{ nope }'],
    ['two operations, one named', { query: 'query A { plain } query B { products { totalCount } }', operationName: 'B' }],
  ])('matches Apollo for %s', async (_name, operation) => {
    const request = typeof operation === 'string' ? { query: operation } : operation;
    const [a, b] = await Promise.all([apollos.executeOperation(request), ours.executeOperation(request)]);
    expect(JSON.stringify(b.body)).toBe(JSON.stringify(a.body));
    expect(b.http.headers.get('cache-control')).toBe(a.http.headers.get('cache-control'));
  });

  it('is stricter, never looser, where selected fields do not run', async () => {
    // A null product: Apollo never sees the hints below it; we count them (rating 60, stock 10).
    const missing = await headers('{ product(id: "missing") { id rating { average } stock } }');
    expect(maxAgeOf(missing.ours)).toBeLessThanOrEqual(maxAgeOf(missing.apollo));
    // An empty review list (p2): Review's 40 s counts for us alone.
    const empty = await headers('{ products { edges { node { id reviews { id } } } } }');
    expect(maxAgeOf(empty.ours)).toBeLessThanOrEqual(maxAgeOf(empty.apollo));
    const skipped = await headers('query ($skip: Boolean!) { products { edges { node { id stock @skip(if: $skip) } } } }', { skip: true });
    expect(skipped.apollo).toBe('max-age=300, public');
    expect(skipped.ours).toBe('max-age=10, public');
  });

  it('computes a policy once per document and operation', () => {
    const document = parse('{ products { edges { node { id stock } } } }');
    expect(operationCacheHints(schema, document, undefined)).toEqual({ policy: { maxAge: 10, scope: undefined }, entities: [] });
    expect(operationCacheHints(schema, document, 'Unknown').policy).toEqual({ maxAge: undefined, scope: undefined });
  });

  it('never answers a caller with more than the CUSTOMER role publicly', async () => {
    const query = '{ products { edges { node { id name } } } }';
    const as = (roles: string[] | null) =>
      ours.executeOperation({ query }, { contextValue: roles ? { identity: { userId: 'u', email: 'e', roles, expiresAt: 0 } } : {} });
    const header = async (roles: string[] | null) => (await as(roles)).http.headers.get('cache-control');
    expect(await header(null)).toBe('max-age=300, public');
    expect(await header(['CUSTOMER'])).toBe('max-age=300, public');
    expect(await header(['CUSTOMER', 'ADMIN'])).toBe('max-age=300, private');
    expect(await header(['ADMIN'])).toBe('max-age=300, private');
  });

  it('combines with a header already set, as Apollo does', () => {
    const policy = { maxAge: 300, scope: undefined };
    expect(cacheControlHeader(policy, undefined, true)).toBe('max-age=300, public');
    expect(cacheControlHeader(policy, 'max-age=60, private', true)).toBe('max-age=60, private');
    expect(cacheControlHeader(policy, 'no-store', true)).toBe('no-store');
    expect(cacheControlHeader(policy, 'whatever', true)).toBeUndefined();
    expect(cacheControlHeader(policy, undefined, false)).toBe('no-store');
    expect(cacheControlHeader({ maxAge: 0, scope: undefined }, undefined, true)).toBe('no-store');
  });
});
