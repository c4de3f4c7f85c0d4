import type { ProductSnapshot } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryTree } from '../src/service/facets.js';
import { ACTIVE_COUNT, cat, idOf, indexStorefront } from './fixtures.js';
import { ids, search, SEARCH, startTestServer, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;
let products: Record<string, ProductSnapshot>;
const id = (key: string): string => idOf(products, key);

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  products = await indexStorefront(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

describe('relevance', () => {
  it('ranks name matches above description matches and hides archived and draft products', async () => {
    const result = await search(server, { query: 'jacket' });
    expect(result.matchMode).toBe('FULL_TEXT');
    expect(result.totalCount).toBe(3);
    const found = ids(result);
    expect(found.slice(0, 2).sort()).toEqual([id('rain'), id('down')].sort());
    expect(found[2]).toBe(id('oxford')); // "jacket" only in its description
    expect(found).not.toContain(id('archived'));
    expect(found).not.toContain(id('draft'));
  });

  it('stems words and finds brand, category and option values', async () => {
    expect(ids(await search(server, { query: 'jackets' }))).toContain(id('rain'));
    expect(ids(await search(server, { query: 'northwind' }))).toEqual([id('rain')]);
    expect(ids(await search(server, { query: 'audio' }))).toEqual([id('headphones')]);
    expect(ids(await search(server, { query: 'red' })).sort()).toEqual([id('flannel'), id('dress')].sort());
  });

  it('reads the query like a web search box: phrases, exclusion, or', async () => {
    expect(ids(await search(server, { query: '"rain jacket"' }))).toEqual([id('rain')]);
    expect(ids(await search(server, { query: 'jacket -rain' })).sort()).toEqual([id('down'), id('oxford')].sort());
    expect(ids(await search(server, { query: 'dress or headphones' })).sort()).toEqual([id('dress'), id('headphones')].sort());
  });

  it('tolerates typos: "jaket" finds the jackets by name similarity', async () => {
    const result = await search(server, { query: 'jaket' });
    expect(result.matchMode).toBe('FUZZY');
    expect(ids(result).sort()).toEqual([id('rain'), id('down')].sort());
    const two = await search(server, { query: 'wireles headphnes' });
    expect(two.matchMode).toBe('FUZZY');
    expect(ids(two)).toEqual([id('headphones')]);
  });

  it('a query that matches nothing at all is an empty result', async () => {
    const result = await search(server, { query: 'zzqxv' });
    expect(result.totalCount).toBe(0);
    expect(result.edges).toEqual([]);
    expect(result.facets.categories).toEqual([]);
  });
});

describe('facets', () => {
  it('counts the category tree including descendants, depth-first', async () => {
    const { facets, totalCount, matchMode } = await search(server);
    expect(matchMode).toBe('BROWSE');
    expect(totalCount).toBe(ACTIVE_COUNT);
    expect(facets.categories.map((c) => [c.name, c.depth, c.count])).toEqual([
      ['Apparel', 0, 6],
      ['Men', 1, 5],
      ['Shirts', 2, 3],
      ['Jackets', 2, 2],
      ['Women', 1, 1],
      ['Dresses', 2, 1],
      ['Electronics', 0, 1],
      ['Audio', 1, 1],
    ]);
    const men = facets.categories.find((c) => c.id === cat.men.id);
    expect(men).toMatchObject({ slug: 'men', parentId: cat.apparel.id, category: { id: cat.men.id } });
    expect(facets.categories[0]?.parentId).toBeNull();
  });

  it('counts option values, price buckets and stock', async () => {
    const { facets } = await search(server);
    expect(facets.options).toEqual([
      {
        name: 'Colour',
        values: [
          { value: 'Black', count: 2, selected: false },
          { value: 'Blue', count: 2, selected: false },
          { value: 'Red', count: 2, selected: false },
          { value: 'White', count: 1, selected: false },
        ],
      },
      {
        name: 'Size',
        values: [
          { value: 'L', count: 3, selected: false },
          { value: 'M', count: 3, selected: false },
          { value: 'S', count: 3, selected: false },
        ],
      },
    ]);
    expect(facets.priceRanges.map((r) => [r.min?.amountMinor ?? null, r.max?.amountMinor ?? null, r.count])).toEqual([
      [null, 2500, 1],
      [2500, 5000, 2],
      [5000, 10000, 2],
      [10000, 20000, 1],
      [20000, null, 1],
    ]);
    expect(facets.priceRanges[1]?.min?.currency).toBe('USD');
    expect(facets.inStock).toEqual([
      { inStock: true, count: 2 },
      { inStock: false, count: 5 },
    ]);
  });

  it('prices buckets in the requested currency (products not priced in it are not counted)', async () => {
    const { facets } = await search(server, { currency: 'EUR' });
    expect(facets.priceRanges.map((r) => r.count)).toEqual([0, 0, 1, 1, 1]);
    expect(facets.priceRanges[4]?.min).toEqual({ amountMinor: 20000, currency: 'EUR' });
  });

  it('counts each facet with the other filters applied, not its own', async () => {
    const { facets, totalCount } = await search(server, { filters: { options: [{ name: 'Size', value: 'S' }] } });
    expect(totalCount).toBe(3); // Rain Jacket, Oxford Shirt, Wrap Dress
    const size = facets.options.find((o) => o.name === 'Size');
    expect(size?.values).toEqual([
      { value: 'L', count: 3, selected: false },
      { value: 'M', count: 3, selected: false },
      { value: 'S', count: 3, selected: true },
    ]);
    const colour = facets.options.find((o) => o.name === 'Colour');
    expect(colour?.values.map((v) => [v.value, v.count])).toEqual([
      ['Blue', 2],
      ['Red', 1],
      ['White', 1],
    ]);
    expect(facets.categories.find((c) => c.id === cat.apparel.id)?.count).toBe(3);
    expect(facets.categories.some((c) => c.id === cat.electronics.id)).toBe(false);
  });

  it('keeps the whole category tree when filtering by category (drill sideways)', async () => {
    const result = await search(server, { filters: { categoryId: cat.men.id } });
    expect(result.totalCount).toBe(5);
    expect(result.facets.categories.find((c) => c.id === cat.electronics.id)?.count).toBe(1);
    expect(result.facets.inStock).toEqual([
      { inStock: true, count: 1 },
      { inStock: false, count: 4 },
    ]);
  });

  it('facets a text query over its matches only', async () => {
    const { facets } = await search(server, { query: 'jacket' });
    expect(facets.categories.map((c) => [c.name, c.count])).toEqual([
      ['Apparel', 3],
      ['Men', 3],
      ['Jackets', 2],
      ['Shirts', 1],
    ]);
  });
});

describe('filters', () => {
  it('by category, including descendants', async () => {
    expect(ids(await search(server, { filters: { categoryId: cat.jackets.id } })).sort()).toEqual([id('rain'), id('down')].sort());
    expect((await search(server, { filters: { categoryId: cat.apparel.id } })).totalCount).toBe(6);
    expect(ids(await search(server, { query: 'jacket', filters: { categoryId: cat.shirts.id } }))).toEqual([id('oxford')]);
  });

  it('a category id that cannot exist matches nothing (no error)', async () => {
    const result = await search(server, { filters: { categoryId: 'not-a-uuid' } });
    expect(result.totalCount).toBe(0);
    expect(result.facets.categories.length).toBeGreaterThan(0);
  });

  it('by option values: OR within a name, AND across names', async () => {
    const either = await search(server, { filters: { options: [{ name: 'Size', value: 'S' }, { name: 'Size', value: 'L' }] } });
    expect(either.totalCount).toBe(5);
    const both = await search(server, { filters: { options: [{ name: 'Size', value: 'S' }, { name: 'Colour', value: 'Red' }] } });
    expect(ids(both)).toEqual([id('dress')]);
  });

  it('by price, inclusive, in the requested currency', async () => {
    const usd = await search(server, { filters: { price: { min: 2900, max: 5900 } } });
    expect(ids(usd).sort()).toEqual([id('oxford'), id('flannel'), id('dress')].sort());
    const eur = await search(server, { currency: 'EUR', filters: { price: { min: 10000 } } });
    expect(ids(eur).sort()).toEqual([id('down'), id('headphones')].sort());
    const cheap = await search(server, { filters: { price: { max: 999 } } });
    expect(ids(cheap)).toEqual([id('tee')]);
  });

  it('by stock', async () => {
    expect(ids(await search(server, { filters: { inStock: true } })).sort()).toEqual([id('rain'), id('headphones')].sort());
    expect((await search(server, { filters: { inStock: false } })).totalCount).toBe(5);
  });

  it('rejects invalid filters with BAD_USER_INPUT', async () => {
    for (const filters of [
      { price: { min: 5000, max: 100 } },
      { price: { min: -1 } },
      { options: [{ name: '', value: 'M' }] },
      { options: Array.from({ length: 21 }, (_, i) => ({ name: 'Size', value: String(i) })) },
    ]) {
      const result = await server.gql(SEARCH, { variables: { filters } });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('sorts', () => {
  it('PRICE_ASC and PRICE_DESC by the lowest variant price; unpriced last', async () => {
    const asc = ['tee', 'flannel', 'oxford', 'dress', 'rain', 'down', 'headphones'].map(id);
    expect(ids(await search(server, { sort: 'PRICE_ASC' }))).toEqual(asc);
    expect(ids(await search(server, { sort: 'PRICE_DESC' }))).toEqual([...asc].reverse());
    const eur = ids(await search(server, { sort: 'PRICE_ASC', currency: 'EUR' }));
    expect(eur.slice(0, 3)).toEqual(['rain', 'down', 'headphones'].map(id));
    expect(eur).toHaveLength(ACTIVE_COUNT);
  });

  it('NEWEST by the catalog creation time (also the order of a browse)', async () => {
    const newest = ['headphones', 'dress', 'tee', 'flannel', 'oxford', 'down', 'rain'].map(id);
    expect(ids(await search(server, { sort: 'NEWEST' }))).toEqual(newest);
    expect(ids(await search(server))).toEqual(newest);
  });

  it('RATING by average, then count; unrated last', async () => {
    const rated = ids(await search(server, { sort: 'RATING' }));
    expect(rated.slice(0, 3)).toEqual(['down', 'rain', 'dress'].map(id));
  });

  it('sorts a text query too', async () => {
    expect(ids(await search(server, { query: 'jacket', sort: 'PRICE_DESC' }))).toEqual(['down', 'rain', 'oxford'].map(id));
  });
});

describe('pagination', () => {
  it('walks every result exactly once with opaque cursors', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await search(server, { first: 3, sort: 'PRICE_ASC', ...(after ? { after } : {}) });
      pages++;
      expect(page.totalCount).toBe(ACTIVE_COUNT);
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 1);
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
      expect(after).toBeTruthy();
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['tee', 'flannel', 'oxford', 'dress', 'rain', 'down', 'headphones'].map(id));
  });

  it('clamps first to 100, accepts 0 (facets only) and rejects a negative first or a foreign cursor', async () => {
    const big = await search(server, { first: 1000 });
    expect(big.edges).toHaveLength(ACTIVE_COUNT);
    const none = await search(server, { first: 0 });
    expect(none.edges).toEqual([]);
    expect(none.totalCount).toBe(ACTIVE_COUNT);
    expect(none.pageInfo.hasNextPage).toBe(true);
    expect(errorCode(await server.gql(SEARCH, { variables: { first: -1 } }))).toBe('BAD_USER_INPUT');
    for (const after of ['garbage', Buffer.from('["x",1]').toString('base64url'), Buffer.from('["o",-4]').toString('base64url')]) {
      expect(errorCode(await server.gql(SEARCH, { variables: { after } }))).toBe('INVALID_CURSOR');
    }
  });
});

describe('empty and garbage queries', () => {
  it('empty or blank query browses', async () => {
    for (const query of [null, '', '   ', '\t\n']) {
      const result = await search(server, { query });
      expect(result.matchMode).toBe('BROWSE');
      expect(result.totalCount).toBe(ACTIVE_COUNT);
    }
  });

  it('punctuation and operators only: an empty result, never an error', async () => {
    for (const query of ['!!!', '---', '"', '&|!():*', '"" - or', '\'; DROP TABLE search_products; --', '***', '<%']) {
      const result = await server.gql(SEARCH, { variables: { query } });
      expect(result.errors, query).toBeUndefined();
      const data = result.data as { search: { totalCount: number; edges: unknown[] } };
      expect(data.search.edges.length, query).toBeLessThanOrEqual(ACTIVE_COUNT);
    }
    const ops = await search(server, { query: '!!! ---' });
    expect(ops).toMatchObject({ matchMode: 'NONE', totalCount: 0, edges: [] });
    expect(ops.facets.priceRanges).toHaveLength(5);
  });

  it('stop words, control characters and odd unicode do not break anything', async () => {
    for (const query of ['the', 'a an the', 'jacket\u0000', '\u200bjacket', 'ｊａｃｋｅｔ', '\ud800', 'jacket:*', '🧥']) {
      const result = await server.gql(SEARCH, { variables: { query } });
      expect(result.errors, JSON.stringify(query)).toBeUndefined();
    }
    expect(ids(await search(server, { query: 'ｊａｃｋｅｔ' }))).toContain(id('rain'));
    expect(ids(await search(server, { query: 'jacket\u0000' }))).toContain(id('rain'));
  });

  it('an overly long query is BAD_USER_INPUT', async () => {
    for (const query of ['x'.repeat(201), 'jacket '.repeat(2000)]) {
      const result = await server.gql(SEARCH, { variables: { query } });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe('query');
    }
    expect((await search(server, { query: 'x'.repeat(200) })).totalCount).toBe(0);
  });
});

describe('category tree shaping', () => {
  it('never drops a category, even when parent links are inconsistent', () => {
    const node = (id: string, parentId: string | null, count: number) => ({ id, name: id, slug: id, parentId, depth: 0, count });
    const tree = categoryTree([node('a', 'b', 3), node('b', 'a', 2), node('r', null, 5), node('c', 'r', 1), node('orphan', 'missing', 4)]);
    expect(tree.map((n) => n.id)).toEqual(['r', 'c', 'orphan', 'a', 'b']);
  });
});
