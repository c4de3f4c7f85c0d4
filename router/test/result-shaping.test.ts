/**
 * The router's computeResponse must answer exactly as the gateway's own:
 * same data (key order included), same errors, on valid data and on every
 * kind of broken subgraph answer the shaping step handles.
 */
import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayComputeResponse } from '../src/gateway-patches.ts';
import { computeResponse } from '../src/result-shaping.ts';

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    products(first: Int): [Product!]!
    search: [SearchResult]
    node(id: ID!): Node
    matrix: [[Int!]]
    status: Status!
    count: Int!
  }
  interface Node { id: ID! }
  type Product implements Node @key(fields: "id") {
    id: ID!
    name: String!
    price: Float
    tags: [String!]
    status: Status
    owner: User
  }
  type User implements Node @key(fields: "id") {
    id: ID!
    name: String
  }
  union SearchResult = Product | User
  enum Status { ACTIVE ARCHIVED }
`;

const composed = composeServices([{ name: 'shop', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(SDL) }]);
if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
const apiSchema = Supergraph.build(composed.supergraphSdl).apiSchema();

const QUERY = `query Q($skip: Boolean!, $inc: Boolean = true) {
  a: products(first: 2) {
    id n: name __typename t: __typename
    price @skip(if: $skip)
    tags status
    owner @include(if: $inc) { name id }
    ... on Node { id }
  }
  count status matrix
  search { __typename ... on Product { id name } ... on User { id name } }
  node(id: "1") { id ... on User { name } ... on Product { tags } constructor: id }
  again: products { name @include(if: false) id }
}`;

const product = (id: string, extra: Record<string, unknown> = {}) => ({
  __typename: 'Product',
  id,
  n: `Product ${id}`,
  t: 'Product',
  price: 12.5,
  tags: ['a', 'b'],
  status: 'ACTIVE',
  owner: { __typename: 'User', name: 'Ada', id: 'u1', internal: 'dropped' },
  __key: 'dropped',
  ...extra,
});

const valid = () => ({
  a: [product('1'), product('2')],
  count: 3,
  status: 'ARCHIVED',
  matrix: [[1, 2], [3]],
  search: [
    { __typename: 'User', id: 'u1', name: 'Ada' },
    { __typename: 'Product', id: '1', name: 'Kettle' },
    null,
  ],
  node: { __typename: 'User', id: 'u1', name: 'Ada', constructor: 'u1' },
  again: [{ name: 'x', id: '9' }],
});

const cases: Record<string, { input: () => Record<string, unknown> | null; variables: Record<string, unknown> }> = {
  'valid data, extra fields dropped': { input: valid, variables: { skip: false } },
  'skip and include from variables': { input: valid, variables: { skip: true, inc: false } },
  'null in a non-null field bubbles to the nearest nullable parent': {
    input: () => ({ ...valid(), node: { __typename: 'User', id: null, name: 'Ada' } }),
    variables: { skip: false },
  },
  'null in a non-null list element bubbles through the non-null list': {
    input: () => ({ ...valid(), a: [product('1', { n: null }), product('2')] }),
    variables: { skip: false },
  },
  'null in a non-null root field nulls data': { input: () => ({ ...valid(), count: null }), variables: { skip: false } },
  'invalid leaf values': {
    input: () => ({ ...valid(), a: [product('1', { price: 'cheap', status: 'NOPE', tags: ['a', 7] })], matrix: [[1, null], [2.5]] }),
    variables: { skip: false },
  },
  'invalid __typename': {
    input: () => ({ ...valid(), search: [{ __typename: 'Nope', id: 'x' }], node: { __typename: 'Product', id: '1', tags: null } }),
    variables: { skip: false },
  },
  'missing fields read as null': { input: () => ({ a: [{ __typename: 'Product', id: '1' }], status: 'ACTIVE', count: 0 }), variables: { skip: false } },
  'no data at all': { input: () => null, variables: { skip: false } },
};

function run(implementation: typeof computeResponse, input: Record<string, unknown> | null, variables: Record<string, unknown>) {
  const operation = operationFromDocument(apiSchema, parse(QUERY), { validate: false });
  const { data, errors } = implementation({
    operation,
    variables,
    input,
    introspectionHandling: () => {
      throw new Error('no introspection here');
    },
  });
  return {
    // As the response is serialized: key order matters.
    data: JSON.stringify(data),
    errors: errors.map((error) => ({ message: error.message, path: error.path, code: error.extensions.code })),
  };
}

describe('computeResponse', () => {
  for (const [name, { input, variables }] of Object.entries(cases)) {
    it(`answers like the gateway's: ${name}`, () => {
      expect(run(computeResponse, input(), variables)).toEqual(run(gatewayComputeResponse, input(), variables));
    });
  }

  it('is exercised on the paths that matter (bubbling, errors, skipped fields)', () => {
    const bubbled = run(gatewayComputeResponse, cases['null in a non-null field bubbles to the nearest nullable parent']?.input() ?? null, { skip: false });
    expect(JSON.parse(bubbled.data)).toMatchObject({ node: null, count: 3 });
    expect(bubbled.errors[0]?.message).toMatch(/Cannot return null for non-nullable/);
    const invalid = run(computeResponse, cases['invalid leaf values']?.input() ?? null, { skip: false });
    expect(invalid.errors.length).toBeGreaterThanOrEqual(3);
    const skipped = JSON.parse(run(computeResponse, valid(), { skip: true, inc: false }).data) as { a: Record<string, unknown>[] };
    expect(skipped.a[0]).not.toHaveProperty('price');
    expect(skipped.a[0]).not.toHaveProperty('owner');
    expect(Object.keys(skipped.a[0] ?? {})).toEqual(['id', 'n', '__typename', 't', 'tags', 'status']);
    // A response name that Object.prototype also has is still just a field.
    expect(JSON.parse(run(computeResponse, valid(), { skip: false }).data)).toMatchObject({ node: { id: 'u1', constructor: 'u1' } });
  });

  it('reuses nothing between calls that it should not: same operation, different data', () => {
    const operation = operationFromDocument(apiSchema, parse(QUERY), { validate: false });
    const shape = (input: Record<string, unknown>) =>
      JSON.stringify(computeResponse({ operation, variables: { skip: false }, input, introspectionHandling: () => null }).data);
    const first = shape(valid());
    const second = shape({ ...valid(), count: 42 });
    expect(first).not.toEqual(second);
    expect(JSON.parse(second)).toMatchObject({ count: 42 });
  });
});
