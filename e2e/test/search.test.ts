/**
 * A shopper searches the catalog through the router. The search subgraph keeps
 * its own read model from catalog and inventory events; every product field
 * beyond the match comes from catalog through federation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql, graphqlOk } from '@commerce/testing';
import { startGraph, type Graph } from './support/graph.ts';
import { adminToken } from './support/shop.ts';

let graph: Graph;
let url: string;
let admin: string;
const tag = randomUUID().slice(0, 6);
const jacketName = `Aurora Trail Jacket ${tag}`;
let categoryId = '';
let jacketId = '';

interface SearchData {
  search: {
    totalCount: number;
    edges: { node: { id: string; name: string; priceRange: { min: { amountMinor: number } } | null } }[];
    facets: {
      categories: { id: string; count: number }[];
      options: { name: string; values: { value: string; count: number }[] }[];
      inStock: { inStock: boolean; count: number }[];
    };
  };
}

const SEARCH = `query($query: String, $filters: SearchFilters) {
  search(query: $query, filters: $filters, first: 10) {
    totalCount
    edges { node { id name priceRange(currency: USD) { min { amountMinor } } } }
    facets { categories { id count } options { name values { value count } } inStock { inStock count } }
  }
}`;

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
  const { createCategory } = await graphqlOk<{ createCategory: { id: string } }>(
    url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
    { variables: { input: { name: `Outerwear ${tag}` } }, token: admin });
  categoryId = createCategory.id;
  const created = await graphqlOk<{ createProduct: { id: string; variants: { id: string }[] } }>(
    url, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id variants { id } } }', {
      token: admin,
      variables: {
        input: {
          name: jacketName,
          description: 'A waterproof shell for long days in the hills.',
          brand: 'Northwind',
          categoryId,
          variants: ['S', 'M'].map((size) => ({
            sku: `AUR-${tag}-${size}`,
            name: size,
            options: [{ name: 'Size', value: size }],
            prices: [{ amountMinor: 18900, currency: 'USD' }, { amountMinor: 17900, currency: 'EUR' }],
          })),
        },
      },
    });
  jacketId = created.createProduct.id;
});

afterAll(async () => {
  await graph?.stop();
});

describe('a shopper searches', () => {
  it('finds a new product shortly after the admin creates it, with catalog fields through federation', async () => {
    const found = await eventually(async () => {
      const data = await graphqlOk<SearchData>(url, SEARCH, { variables: { query: 'trail jacket', filters: { categoryId } } });
      return data.search.totalCount > 0 ? data : undefined;
    }, 15_000);
    expect(found.search.edges.map((e) => e.node)).toEqual([{ id: jacketId, name: jacketName, priceRange: { min: { amountMinor: 18900 } } }]);
    expect(found.search.facets.categories).toContainEqual({ id: categoryId, count: 1 });
    const sizes = found.search.facets.options.find((o) => o.name === 'Size');
    expect(sizes?.values.map((v) => v.value).sort()).toEqual(['M', 'S']);
  });

  it('tolerates a typo, and suggests as the shopper types', async () => {
    const typo = await graphqlOk<SearchData>(url, SEARCH, { variables: { query: `aurora jaket`, filters: { categoryId } } });
    expect(typo.search.edges.map((e) => e.node.id)).toContain(jacketId);
    const { suggest } = await graphqlOk<{ suggest: { text: string }[] }>(url, 'query($p: String!) { suggest(prefix: $p) { text } }', {
      variables: { p: 'Auror' },
    });
    expect(suggest.map((s) => s.text)).toContain(jacketName);
  });

  it('answers garbage with an empty result and an over-long query with BAD_USER_INPUT, never a crash', async () => {
    const garbage = await graphqlOk<SearchData>(url, SEARCH, { variables: { query: '&&& !!! ((' } });
    expect(garbage.search.totalCount).toBe(0);
    const long = await graphql(url, SEARCH, { variables: { query: 'x'.repeat(500) } });
    expect(long.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
