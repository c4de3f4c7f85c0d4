/**
 * Test harness: the real search subgraph on an ephemeral port over the real
 * ecommerce_search_test database. Documents are indexed through the same
 * service the consumer uses (indexSnapshots), from snapshots built here in
 * the exact shape the catalog publishes; the consumer test goes through Kafka.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl } from '@commerce/config';
import type { ProductSnapshot } from '@commerce/events';
import { startSubgraph } from '@commerce/subgraph-kit';
import { testSubgraph, type TestSubgraph } from '@commerce/testing';
import { createSearchPrisma, type SearchPrisma } from '../src/data/prisma.js';
import { indexSnapshots } from '../src/service/indexing.service.js';
import { searchSubgraph, type SearchSubgraphOptions } from '../src/subgraph.js';

export type TestServer = TestSubgraph<SearchPrisma>;

export const testDatabaseUrl = (): string => databaseUrl('search', 'test');

/** Browse caching is off unless a test asks for it: tests change the index between queries. */
export async function startTestServer(options: Pick<SearchSubgraphOptions, 'consumer' | 'browseCacheTtlMs' | 'replica'> = {}): Promise<TestServer> {
  const db = createSearchPrisma({ databaseUrl: testDatabaseUrl() });
  const definition = searchSubgraph({
    prisma: db,
    databaseUrl: testDatabaseUrl(),
    consumer: options.consumer ?? false,
    browseCacheTtlMs: options.browseCacheTtlMs ?? 0,
    ...(options.replica === undefined ? {} : { replica: options.replica }),
  });
  const running = await startSubgraph(definition, { port: 0 });
  return testSubgraph(running, db);
}

/** Every table of the read model, emptied. */
export async function truncateAll(db: SearchPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE search_products, search_variants, search_variant_stock, search_categories, search_reindex_runs, outbox_events, processed_events RESTART IDENTITY CASCADE',
  );
}

export interface CategoryRef {
  id: string;
  slug: string;
  name: string;
}

export const category = (name: string, slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-')): CategoryRef => ({
  id: randomUUID(),
  slug,
  name,
});

export interface VariantSpec {
  options?: Record<string, string>;
  usd?: number | null;
  eur?: number | null;
  variantId?: string;
}

export interface SnapshotSpec {
  id?: string;
  name: string;
  description?: string;
  brand?: string | null;
  status?: ProductSnapshot['status'];
  /** Root first, the product's own category last. */
  path: CategoryRef[];
  variants?: VariantSpec[];
  rating?: { average: number; count: number } | null;
  createdAt?: string;
  updatedAt?: string;
}

let clock = Date.parse('2026-01-01T00:00:00.000Z');
/** Increasing timestamps, one minute apart, so NEWEST order is the creation order. */
export function tick(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

/** A product snapshot exactly as catalog publishes it in product.created / product.updated. */
export function snapshot(spec: SnapshotSpec): ProductSnapshot {
  const created = spec.createdAt ?? tick();
  const own = spec.path[spec.path.length - 1];
  if (!own) throw new Error('a product needs a category path');
  const id = spec.id ?? randomUUID();
  return {
    productId: id,
    slug: `${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id.slice(0, 8)}`,
    name: spec.name,
    description: spec.description ?? '',
    brand: spec.brand ?? null,
    status: spec.status ?? 'ACTIVE',
    categoryId: own.id,
    categoryPath: spec.path.map(({ id: categoryId, slug, name }) => ({ id: categoryId, slug, name })),
    images: [],
    variants: (spec.variants ?? [{}]).map((variant, index) => ({
      variantId: variant.variantId ?? randomUUID(),
      sku: `SKU-${id.slice(0, 8)}-${index}`,
      name: Object.values(variant.options ?? {}).join(' / ') || 'Default',
      options: Object.entries(variant.options ?? {}).map(([name, value]) => ({ name, value })),
      prices: [
        ...(variant.usd === null ? [] : [{ currency: 'USD', amountMinor: variant.usd ?? 1999 }]),
        ...(variant.eur === null || variant.eur === undefined ? [] : [{ currency: 'EUR', amountMinor: variant.eur }]),
      ],
    })),
    ratingAverage: spec.rating?.average ?? null,
    ratingCount: spec.rating?.count ?? 0,
    createdAt: created,
    updatedAt: spec.updatedAt ?? created,
  };
}

/** Indexes snapshots the way the consumer does, one transaction. */
export async function index(db: SearchPrisma, ...snapshots: ProductSnapshot[]): Promise<void> {
  await db.$transaction((tx) => indexSnapshots(tx, snapshots));
}

/** A later version of a snapshot (updatedAt one tick on), with changes. */
export function updated(base: ProductSnapshot, changes: Partial<ProductSnapshot>): ProductSnapshot {
  return { ...base, ...changes, updatedAt: changes.updatedAt ?? tick() };
}

export const SEARCH = `query Search($query: String, $filters: SearchFilters, $sort: SearchSort, $first: Int, $after: String, $currency: CurrencyCode) {
  search(query: $query, filters: $filters, sort: $sort, first: $first, after: $after, currency: $currency) {
    totalCount
    matchMode
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    facets {
      categories { id name slug parentId depth count category { id } }
      options { name values { value count selected } }
      priceRanges { min { amountMinor currency } max { amountMinor currency } count }
      inStock { inStock count }
    }
  }
}`;

export interface SearchData {
  search: {
    totalCount: number;
    matchMode: string;
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    facets: {
      categories: { id: string; name: string; slug: string; parentId: string | null; depth: number; count: number; category: { id: string } }[];
      options: { name: string; values: { value: string; count: number; selected: boolean }[] }[];
      priceRanges: { min: { amountMinor: number; currency: string } | null; max: { amountMinor: number; currency: string } | null; count: number }[];
      inStock: { inStock: boolean; count: number }[];
    };
  };
}

export interface SearchVariables {
  query?: string | null;
  filters?: Record<string, unknown>;
  sort?: string;
  first?: number;
  after?: string;
  currency?: string;
}

export async function search(server: TestServer, variables: SearchVariables = {}): Promise<SearchData['search']> {
  const data = await server.ok<SearchData>(SEARCH, { variables: { ...variables } });
  return data.search;
}

export const ids = (result: { edges: { node: { id: string } }[] }): string[] => result.edges.map((edge) => edge.node.id);
