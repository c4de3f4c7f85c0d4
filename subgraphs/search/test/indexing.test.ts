import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { indexPriceChange, indexSnapshots, indexStockLevel } from '../src/service/indexing.service.js';
import { category, ids, index, search, snapshot, startTestServer, tick, truncateAll, updated, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

beforeEach(async () => {
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const home = category('Home');
const kitchen = category('Kitchen');

interface DocumentRow {
  name: string;
  status: string;
  category_ids: string[];
  category_names: string[];
  option_values: string[];
  price_min_usd: number | null;
  price_min_eur: number | null;
  in_stock: boolean;
  rating_average: number | null;
  rating_count: number;
  vector: string;
}

async function row(id: string): Promise<DocumentRow | undefined> {
  const rows = await server.db.$queryRaw<DocumentRow[]>`
    SELECT name, status::text, category_ids::text[] AS category_ids, category_names, option_values, price_min_usd, price_min_eur,
           in_stock, rating_average, rating_count, search_vector::text AS vector
      FROM search_products WHERE id = ${id}::uuid`;
  return rows[0];
}

describe('indexing from snapshots', () => {
  it('derives the document: category path, option values, lowest prices, weighted text', async () => {
    const kettle = snapshot({
      name: 'Steel Kettle',
      brand: 'Brewmaster',
      description: 'Boils water quickly.',
      path: [home, kitchen],
      variants: [
        { options: { Colour: 'Silver', Size: '1.5 l' }, usd: 4900, eur: 4500 },
        { options: { Colour: 'Black', Size: '1.5 l' }, usd: 3900 },
      ],
      rating: { average: 4.25, count: 4 },
    });
    await index(server.db, kettle);
    const doc = await row(kettle.productId);
    expect(doc).toMatchObject({
      name: 'Steel Kettle',
      status: 'ACTIVE',
      category_ids: [home.id, kitchen.id],
      category_names: ['Home', 'Kitchen'],
      option_values: ['Colour\u001fBlack', 'Colour\u001fSilver', 'Size\u001f1.5 l'],
      price_min_usd: 3900,
      price_min_eur: 4500,
      in_stock: false,
      rating_average: 4.25,
      rating_count: 4,
    });
    // Weights: name A, brand and categories B, description C, option values D.
    expect(doc?.vector).toContain("'kettl':2A");
    expect(doc?.vector).toMatch(/'brewmast':\d+B/);
    expect(doc?.vector).toMatch(/'kitchen':\d+B/);
    expect(doc?.vector).toMatch(/'boil':\d+C/);
    expect(doc?.vector).toMatch(/'silver':\d+(?![\dABC])/);

    const variants = await server.db.$queryRaw<{ sku: string; prices: Record<string, number> }[]>`
      SELECT sku, prices FROM search_variants WHERE product_id = ${kettle.productId}::uuid ORDER BY sku`;
    expect(variants.map((v) => v.prices)).toEqual([{ USD: 4900, EUR: 4500 }, { USD: 3900 }]);
    const categories = await server.db.$queryRaw<{ name: string; parent_id: string | null; depth: number }[]>`
      SELECT name, parent_id::text, depth FROM search_categories ORDER BY depth`;
    expect(categories).toEqual([
      { name: 'Home', parent_id: null, depth: 0 },
      { name: 'Kitchen', parent_id: home.id, depth: 1 },
    ]);
  });

  it('a newer snapshot replaces the document, variants included', async () => {
    const v1 = snapshot({ name: 'Steel Kettle', path: [home, kitchen], variants: [{ usd: 4900 }, { usd: 5900 }] });
    await index(server.db, v1);
    const v2 = updated(v1, { name: 'Copper Kettle', variants: v1.variants.slice(1) });
    await index(server.db, v2);
    expect(ids(await search(server, { query: 'copper' }))).toEqual([v1.productId]);
    expect((await search(server, { query: 'steel' })).totalCount).toBe(0);
    expect((await row(v1.productId))?.price_min_usd).toBe(5900);
    const [count] = await server.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM search_variants`;
    expect(count?.n).toBe(1);
  });

  it('ignores an out-of-order (older) snapshot', async () => {
    const v1 = snapshot({ name: 'Steel Kettle', path: [home, kitchen] });
    const v2 = updated(v1, { name: 'Copper Kettle' });
    await index(server.db, v2);
    const result = await server.db.$transaction((tx) => indexSnapshots(tx, [v1]));
    expect(result).toEqual({ written: 0, stale: 1 });
    expect((await row(v1.productId))?.name).toBe('Copper Kettle');
    expect((await search(server, { query: 'steel' })).totalCount).toBe(0);
  });

  it('keeps the newest of several snapshots of one product in a batch', async () => {
    const v1 = snapshot({ name: 'Steel Kettle', path: [home, kitchen] });
    const v2 = updated(v1, { name: 'Copper Kettle' });
    await index(server.db, v2, v1);
    expect((await row(v1.productId))?.name).toBe('Copper Kettle');
  });

  it('redelivering the same snapshot changes nothing', async () => {
    const v1 = snapshot({ name: 'Steel Kettle', path: [home, kitchen] });
    await index(server.db, v1);
    await index(server.db, v1);
    expect((await search(server, { query: 'kettle' })).totalCount).toBe(1);
  });

  it('archived and draft products are not searchable, and an older ACTIVE snapshot cannot bring them back', async () => {
    const v1 = snapshot({ name: 'Steel Kettle', path: [home, kitchen] });
    await index(server.db, v1);
    expect((await search(server, { query: 'kettle' })).totalCount).toBe(1);
    const archived = updated(v1, { status: 'ARCHIVED' });
    await index(server.db, archived);
    expect((await search(server, { query: 'kettle' })).totalCount).toBe(0);
    expect((await search(server)).totalCount).toBe(0);
    expect((await search(server, { query: 'ketle' })).totalCount).toBe(0);
    await index(server.db, v1); // late redelivery of the ACTIVE version
    expect((await search(server, { query: 'kettle' })).totalCount).toBe(0);
    const draft = snapshot({ name: 'Draft Kettle', status: 'DRAFT', path: [home, kitchen] });
    await index(server.db, draft);
    expect((await search(server, { query: 'kettle' })).totalCount).toBe(0);
    await index(server.db, updated(draft, { status: 'ACTIVE' })); // published
    expect(ids(await search(server, { query: 'kettle' }))).toEqual([draft.productId]);
  });
});

describe('price and stock events', () => {
  it('product.price_changed patches a variant price unless the document is newer', async () => {
    const kettle = snapshot({ name: 'Steel Kettle', path: [home, kitchen], variants: [{ usd: 4900 }, { usd: 5900 }] });
    await index(server.db, kettle);
    const variantId = kettle.variants[0]?.variantId ?? '';
    const change = { productId: kettle.productId, variantId, sku: 'x', currency: 'USD', previousAmountMinor: 4900, amountMinor: 6900 };
    expect(await indexPriceChange(server.db, change, tick())).toBe(true);
    expect((await row(kettle.productId))?.price_min_usd).toBe(5900);
    expect(await indexPriceChange(server.db, { ...change, currency: 'EUR', previousAmountMinor: null, amountMinor: 6100 }, tick())).toBe(true);
    expect((await row(kettle.productId))?.price_min_eur).toBe(6100);
    // An event older than the document (a replay) changes nothing.
    expect(await indexPriceChange(server.db, { ...change, amountMinor: 100 }, '2020-01-01T00:00:00.000Z')).toBe(false);
    expect((await row(kettle.productId))?.price_min_usd).toBe(5900);
  });

  it('stock.level_changed sets in_stock (some variant in stock), newest changedAt wins', async () => {
    const kettle = snapshot({ name: 'Steel Kettle', path: [home, kitchen], variants: [{ usd: 4900 }, { usd: 5900 }] });
    await index(server.db, kettle);
    const [a, b] = kettle.variants.map((v) => v.variantId);
    if (!a || !b) throw new Error('variants');
    const inStock = async (): Promise<boolean> => ids(await search(server, { filters: { inStock: true } })).includes(kettle.productId);

    const t1 = tick();
    const t2 = tick();
    await indexStockLevel(server.db, { variantId: a, available: 3, inStock: true, changedAt: t2 });
    expect(await inStock()).toBe(true);
    expect(await indexStockLevel(server.db, { variantId: a, available: 0, inStock: false, changedAt: t1 })).toBe(false); // older
    expect(await inStock()).toBe(true);
    await indexStockLevel(server.db, { variantId: b, available: 1, inStock: true, changedAt: tick() });
    await indexStockLevel(server.db, { variantId: a, available: 0, inStock: false, changedAt: tick() });
    expect(await inStock()).toBe(true); // b still in stock
    await indexStockLevel(server.db, { variantId: b, available: 0, inStock: false, changedAt: tick() });
    expect(await inStock()).toBe(false);
  });

  it('stock that arrives before the product is applied when the product arrives', async () => {
    const kettle = snapshot({ name: 'Steel Kettle', path: [home, kitchen] });
    const variantId = kettle.variants[0]?.variantId ?? '';
    await indexStockLevel(server.db, { variantId, available: 2, inStock: true, changedAt: tick() });
    await index(server.db, kettle);
    expect(ids(await search(server, { filters: { inStock: true } }))).toEqual([kettle.productId]);
  });
});
