/**
 * The in-process replica (src/replica/) must answer exactly as the SQL it
 * replaces: PostgreSQL itself is the oracle. Each part is compared with the
 * statement or function it stands for — search, browse and suggest over the
 * storefront fixture plus generated products, @@ and ts_rank_cd over random
 * documents and web-search queries, word_similarity over random pairs — and
 * the replica must see every write committed before a search starts.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBrowseAggregates, runBrowsePage, runTextSearch, type SearchSpec, type SearchSort } from '../src/data/search-queries.js';
import { suggestRows } from '../src/data/suggest-queries.js';
import { pruneStaleDocuments } from '../src/data/index-store.js';
import { SearchReplica } from '../src/replica/replica.js';
import { rankCd } from '../src/replica/rank.js';
import { DocOperands, replicaBrowseAggregates, replicaBrowsePage, replicaTextSearch } from '../src/replica/search.js';
import { ReplicaStore } from '../src/replica/store.js';
import { computeSuggestRows } from '../src/replica/suggest.js';
import { Trigrams } from '../src/replica/trigram.js';
import { matches, parseTsQuery } from '../src/replica/tsquery.js';
import { toFilterSpec } from '../src/service/search.service.js';
import { indexStockLevel } from '../src/service/indexing.service.js';
import { cat, indexStorefront } from './fixtures.js';
import { category, ids, index, search, snapshot, startTestServer, testDatabaseUrl, truncateAll, updated, type TestServer } from './helpers.js';

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'rain', 'jacket', 'jackets', 'wool', 'sweater', 'running', 'runner', 'shoe', 'shoes', 'leather', 'boots', 'boot',
  'the', 'and', 'of', 'with', 'waterproof', 'light', 'lights', 'lamp', 'red', 'blue', 'cotton', 'dress', 'trail',
  'copper', 'kettle', 'wireless', 'head-phones', "o'neill", 'merino', 'backpack', 'x2', '2024',
];

/** JSON with keys sorted and facet lists in a fixed order: equal answers compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if ((key === 'categories' || key === 'options') && Array.isArray(v)) return [...v].map((x) => JSON.stringify(x)).sort();
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

describe('the replica answers as PostgreSQL does', () => {
  let server: TestServer;
  let replica: SearchReplica;
  let store: ReplicaStore;

  beforeAll(async () => {
    server = await startTestServer({ replica: false });
    await truncateAll(server.db);
    await indexStorefront(server.db);
    // Generated products: shared names, two currencies or one, ratings or none, options of two kinds.
    const next = random(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const paths = [[cat.apparel, cat.men, cat.jackets], [cat.apparel, cat.men, cat.shirts], [cat.apparel, cat.women, cat.dresses], [cat.electronics, cat.audio]];
    const snapshots = Array.from({ length: 150 }, () => {
      const words = Array.from({ length: 2 + Math.floor(next() * 3) }, () => pick(WORDS));
      return snapshot({
        name: words.join(' ').replace(/^./, (c) => c.toUpperCase()),
        description: Array.from({ length: 6 }, () => pick(WORDS)).join(' '),
        brand: next() < 0.5 ? pick(['Northwind', 'Alpine', 'Oak']) : null,
        status: next() < 0.9 ? 'ACTIVE' : 'ARCHIVED',
        path: pick(paths),
        variants: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
          options: { Size: pick(['S', 'M', 'L']), Colour: pick(['Red', 'Blue', 'Black']) },
          usd: 500 + Math.floor(next() * 30_000),
          eur: next() < 0.7 ? 500 + Math.floor(next() * 30_000) : null,
        })),
        rating: next() < 0.6 ? { average: Math.round(next() * 50) / 10, count: Math.floor(next() * 20) } : null,
      });
    });
    await index(server.db, ...snapshots);
    for (const s of snapshots.slice(0, 60)) {
      const variant = s.variants[0];
      if (variant) await indexStockLevel(server.db, { variantId: variant.variantId, available: 3, inStock: true, changedAt: new Date().toISOString() });
    }
    replica = new SearchReplica({ databaseUrl: testDatabaseUrl(), idleSyncMs: 0 });
    store = await replica.current();
  });

  afterAll(async () => {
    await replica?.stop();
    if (server) await truncateAll(server.db);
    await server?.stop();
  });

  const SORTS: SearchSort[] = ['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST', 'RATING'];
  const FILTERS = [
    {},
    { categoryId: cat.men.id },
    { categoryId: cat.jackets.id, inStock: true },
    { price: { min: 1000, max: 20_000 } },
    { inStock: false, options: [{ name: 'Size', value: 'M' }, { name: 'Size', value: 'L' }, { name: 'Colour', value: 'Red' }] },
    { categoryId: 'not-a-uuid' },
    { categoryId: randomUUID() },
  ];

  it('search: the same hits, totals and facet counts as the SQL, for text, filters, sorts and pages', async () => {
    const texts = ['jacket', 'wool sweater', '"rain jacket"', 'jacket -rain', 'dress or lamp', 'shoes', 'running', '-leather', 'head-phones', "o'neill", 'the', 'x2 2024', '"light of the" lamp'];
    let compared = 0;
    for (const text of texts) {
      const tsquery = await replica.tsquery(text);
      expect(tsquery, text).not.toBeNull();
      for (const filters of FILTERS) {
        for (const sort of SORTS) {
          for (const currency of ['USD', 'EUR'] as const) {
            const spec: SearchSpec = { mode: 'FULL_TEXT', text, filters: toFilterSpec(filters), currency, sort, limit: 7, offset: sort === 'NEWEST' ? 3 : 0 };
            const expected = await runTextSearch(server.db, spec);
            expect(canonical(replicaTextSearch(store, tsquery as NonNullable<typeof tsquery>, spec)), `${text} ${JSON.stringify(filters)} ${sort} ${currency}`).toBe(canonical(expected));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(texts.length * FILTERS.length * SORTS.length * 2);
  });

  it('browse: the same page and aggregates as the SQL', async () => {
    for (const filters of FILTERS) {
      for (const sort of SORTS) {
        for (const offset of [0, 5, 200]) {
          const spec: SearchSpec = { mode: 'BROWSE', text: '', filters: toFilterSpec(filters), currency: 'EUR', sort, limit: 9, offset };
          const label = `${JSON.stringify(filters)} ${sort} ${offset}`;
          expect(replicaBrowsePage(store, spec), label).toEqual(await runBrowsePage(server.db, spec));
          expect(canonical(replicaBrowseAggregates(store, spec)), label).toBe(canonical(await runBrowseAggregates(server.db, spec)));
        }
      }
    }
  });

  it('suggest: the same suggestions and scores as the SQL scoring every match', async () => {
    for (const prefix of ['jac', 'ja', 'j', 'rain jac', 'jaket', 'wirel', 'lea', 'boot', 'shoe', 'audi', 'xyzzy', "o'n", 'head-ph', 'sweeter', '20']) {
      for (const limit of [1, 8, 20]) {
        expect(computeSuggestRows(store, prefix, limit), `${prefix} ${limit}`).toEqual(await suggestRows(server.db, prefix, limit, 1_000_000));
      }
    }
  });
});

describe('PostgreSQL text-search semantics', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  it('matches like @@ and ranks like ts_rank_cd on random documents and web-search queries', async () => {
    const next = random(20261205);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const docs = Array.from({ length: 120 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(WORDS)).join(' '),
      body: Array.from({ length: Math.floor(next() * 12) }, () => pick(WORDS)).join(' '),
    }));
    const { rows: vectors } = await client.query<{ id: string; vector: string }>(
      `SELECT d.id, (setweight(to_tsvector('english', d.name), 'A') || setweight(to_tsvector('english', d.body), 'C'))::text AS vector
         FROM jsonb_to_recordset($1::jsonb) AS d(id text, name text, body text)`,
      [JSON.stringify(docs)],
    );
    const store = new ReplicaStore();
    for (const { id, vector } of vectors) {
      store.upsert({
        id, slug: id, name: id, active: true, categoryIds: '{}', optionValues: '{}', priceMinUsd: null, priceMinEur: null,
        inStock: false, createdAt: 0, ratingAverage: null, ratingCount: 0, vector,
      });
    }
    const queries = Array.from({ length: 150 }, () => {
      const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
        const r = next();
        if (r < 0.2) return `"${pick(WORDS)} ${pick(WORDS)}"`;
        if (r < 0.35) return `-${pick(WORDS)}`;
        if (r < 0.45) return `${pick(WORDS)} or ${pick(WORDS)}`;
        return pick(WORDS);
      });
      return parts.join(' ');
    });
    let checked = 0;
    for (const text of queries) {
      const { rows } = await client.query<{ q: string; id: string | null; rank: number | null }>(
        `SELECT q::text AS q, d.id, ts_rank_cd(d.v, q) AS rank
           FROM websearch_to_tsquery('english', $1) AS q
           LEFT JOIN (SELECT x.id, x.vector::tsvector AS v FROM jsonb_to_recordset($2::jsonb) AS x(id text, vector text)) d ON d.v @@ q
          ORDER BY d.id`,
        [text, JSON.stringify(vectors)],
      );
      const query = parseTsQuery(rows[0]?.q ?? '');
      expect(query, text).not.toBeNull();
      if (!query) continue;
      const expected = new Map(rows.filter((row) => row.id !== null).map((row) => [row.id as string, Number(row.rank)]));
      const operands = new DocOperands(query.lexemes.map((lexeme) => store.lexicon.get(lexeme) ?? -1));
      for (const { id } of vectors) {
        const doc = store.doc(id);
        if (!doc) throw new Error(`no document ${id}`);
        operands.doc = doc;
        const found = matches(query, operands);
        expect(found, `${text} on ${id}`).toBe(expected.has(id));
        if (found) expect(rankCd(query, operands), `rank of ${text} on ${id}`).toBe(Math.fround(expected.get(id) as number));
        checked++;
      }
    }
    expect(checked).toBe(queries.length * docs.length);
  });

  it('word_similarity equals pg_trgm on random pairs', async () => {
    const next = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const typo = (word: string): string => {
      const at = Math.floor(next() * word.length);
      return next() < 0.5 ? word.slice(0, at) + word.slice(at + 1) : word.slice(0, at) + pick(['a', 'e', 'x']) + word.slice(at);
    };
    const pairs = Array.from({ length: 400 }, () => {
      const name = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(WORDS)).join(' ');
      const word = pick(WORDS);
      const prefix = next() < 0.5 ? word.slice(0, 2 + Math.floor(next() * 5)) : typo(word);
      return { prefix: next() < 0.1 ? `${prefix} ${pick(WORDS)}` : prefix, name };
    });
    const { rows } = await client.query<{ ws: number }>(
      `SELECT word_similarity(e.value ->> 'prefix', e.value ->> 'name') AS ws
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n`,
      [JSON.stringify(pairs)],
    );
    const trigrams = new Trigrams();
    pairs.forEach((pair, i) => {
      const name = trigrams.of(pair.name);
      expect(trigrams.wordSimilarity(trigrams.prepare(pair.prefix), name), `${pair.prefix} / ${pair.name}`).toBe(Math.fround(Number(rows[i]?.ws)));
    });
  });
});

describe('the replica sees every write committed before a search', () => {
  let server: TestServer;
  const lamps = category('Lamps');
  const desks = category('Desks');

  beforeAll(async () => {
    server = await startTestServer();
    await truncateAll(server.db);
  });

  afterAll(async () => {
    if (server) await truncateAll(server.db);
    await server?.stop();
  });

  it('new, changed, archived, deleted and truncated documents, stock, and category names', async () => {
    const lamp = snapshot({ name: 'Brass Lamp', path: [lamps], variants: [{ options: { Colour: 'Gold' }, usd: 4500 }] });
    await index(server.db, lamp);
    expect(ids(await search(server, { query: 'brass' }))).toEqual([lamp.productId]);
    // Browse counts come from the replica, fresh (no 1 s cache).
    expect((await search(server)).totalCount).toBe(1);

    const desk = snapshot({ name: 'Oak Desk', path: [desks] });
    await index(server.db, desk);
    const browsed = await search(server);
    expect(browsed.totalCount).toBe(2);
    expect(ids(browsed)).toEqual([desk.productId, lamp.productId]);

    // Renamed: the old words no longer find it, the new ones do.
    await index(server.db, updated(lamp, { name: 'Copper Lamp' }));
    expect(ids(await search(server, { query: 'brass' }))).toEqual([]);
    expect(ids(await search(server, { query: 'copper' }))).toEqual([lamp.productId]);
    const suggestion = await server.ok<{ suggest: { text: string }[] }>('query { suggest(prefix: "copp") { text } }');
    expect(suggestion.suggest.map((s) => s.text)).toContain('Copper Lamp');

    // In stock: the facet follows the stock event.
    const variant = lamp.variants[0];
    if (!variant) throw new Error('lamp without a variant');
    await indexStockLevel(server.db, { variantId: variant.variantId, available: 5, inStock: true, changedAt: new Date().toISOString() });
    const stocked = await search(server, { filters: { inStock: true } });
    expect(ids(stocked)).toEqual([lamp.productId]);

    // Archived: gone from search, browse and suggest.
    await index(server.db, updated(desk, { status: 'ARCHIVED' }));
    expect((await search(server)).totalCount).toBe(1);
    expect(ids(await search(server, { query: 'oak' }))).toEqual([]);

    // Deleted (a reindex's prune): gone.
    await server.db.$executeRawUnsafe(`UPDATE search_products SET generation = 0`);
    expect(await pruneStaleDocuments(server.db, 1n, new Date())).toBe(2);
    expect((await search(server)).totalCount).toBe(0);

    // A category renamed by a newer snapshot: the facet shows the new name.
    const again = snapshot({ name: 'Reading Lamp', path: [{ ...lamps, name: 'Lighting' }] });
    await index(server.db, again);
    expect((await search(server)).facets.categories.map((c) => c.name)).toEqual(['Lighting']);

    // Truncated: everything reloads.
    await truncateAll(server.db);
    expect((await search(server)).totalCount).toBe(0);
    await index(server.db, lamp);
    expect(ids(await search(server, { query: 'brass' }))).toEqual([lamp.productId]);
  });
});
