import type { ProductSnapshot } from '@commerce/events';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeLike } from '../src/data/suggest-queries.js';
import { cat, idOf, indexStorefront } from './fixtures.js';
import { index, snapshot, startTestServer, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;
let products: Record<string, ProductSnapshot>;

const SUGGEST = `query ($prefix: String!, $first: Int) {
  suggest(prefix: $prefix, first: $first) { kind text id slug score product { id } category { id } }
}`;

interface Suggestion {
  kind: 'PRODUCT' | 'CATEGORY';
  text: string;
  id: string;
  slug: string;
  score: number;
  product: { id: string } | null;
  category: { id: string } | null;
}

async function suggest(prefix: string, first?: number): Promise<Suggestion[]> {
  const data = await server.ok<{ suggest: Suggestion[] }>(SUGGEST, { variables: { prefix, ...(first === undefined ? {} : { first }) } });
  return data.suggest;
}

const texts = (list: Suggestion[]): string[] => list.map((s) => s.text);

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  products = await indexStorefront(server.db);
  // Two more products sharing a name: suggested once.
  await index(server.db, snapshot({ name: 'Rain Jacket', path: [cat.apparel, cat.men, cat.jackets] }));
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

describe('suggest', () => {
  it('completes a prefix with product and category names, best first', async () => {
    const list = await suggest('jac');
    expect(texts(list).slice(0, 3).sort()).toEqual(['Down Jacket', 'Jackets', 'Rain Jacket']);
    // Names are de-duplicated; archived and draft products are never suggested.
    expect(texts(list).filter((t) => t === 'Rain Jacket')).toHaveLength(1);
    expect(texts(list)).not.toContain('Old Jacket');
    expect(texts(list)).not.toContain('Secret Jacket');
    const jackets = list.find((s) => s.kind === 'CATEGORY');
    expect(jackets).toMatchObject({ text: 'Jackets', id: cat.jackets.id, slug: 'jackets', category: { id: cat.jackets.id }, product: null });
    const rain = list.find((s) => s.text === 'Down Jacket');
    expect(rain).toMatchObject({ kind: 'PRODUCT', id: idOf(products, 'down'), product: { id: idOf(products, 'down') }, category: null });
  });

  it('ranks names that start with the prefix first', async () => {
    const list = await suggest('shi');
    expect(list[0]?.text).toBe('Shirts');
    expect(texts(list)).toEqual(expect.arrayContaining(['Oxford Shirt', 'Flannel Shirt']));
    const wire = await suggest('wire');
    expect(wire[0]).toMatchObject({ text: 'Wireless Headphones', kind: 'PRODUCT' });
  });

  it('tolerates typos', async () => {
    expect(texts(await suggest('jaket'))).toEqual(expect.arrayContaining(['Rain Jacket', 'Down Jacket']));
    expect(texts(await suggest('hedphones'))).toContain('Wireless Headphones');
    expect(texts(await suggest('elektronics'))).toContain('Electronics');
  });

  it('respects first (capped at 20) and answers [] for nothing to complete', async () => {
    expect(await suggest('jac', 1)).toHaveLength(1);
    expect(await suggest('jac', 0)).toEqual([]);
    expect((await suggest('a', 500)).length).toBeLessThanOrEqual(20);
    for (const prefix of ['', '   ', '!!!', '%', '_', '\\', '%%%___']) expect(await suggest(prefix), prefix).toEqual([]);
    expect(await suggest('zzqxv')).toEqual([]);
  });

  it('treats LIKE wildcards literally', async () => {
    await index(server.db, snapshot({ name: '100% Cotton Tee', path: [cat.apparel, cat.men, cat.shirts] }));
    const list = await suggest('100%');
    expect(list[0]?.text).toBe('100% Cotton Tee');
    expect(list[0]?.score).toBeGreaterThanOrEqual(2); // starts with "100%" literally (similarity 1 + 1)
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });

  it('rejects an overly long prefix or a negative first with BAD_USER_INPUT', async () => {
    expect(errorCode(await server.gql(SUGGEST, { variables: { prefix: 'x'.repeat(101) } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.gql(SUGGEST, { variables: { prefix: 'jac', first: -1 } }))).toBe('BAD_USER_INPUT');
  });
});
