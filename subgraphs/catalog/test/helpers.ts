/**
 * Test harness: the real catalog subgraph on an ephemeral port, over the real
 * ecommerce_catalog_test database, whose Prisma client and read path record
 * every SQL statement they send (for the query-count test). The outbox relay is off: these
 * tests look at outbox rows; the events package and e2e test publishing.
 */
import { databaseUrl } from '@commerce/config';
import { startSubgraph } from '@commerce/subgraph-kit';
import { testSubgraph, tokenFor, type GraphQLResponse, type TestSubgraph } from '@commerce/testing';
import { expect } from 'vitest';
import { openCatalogDatabase, type CatalogPrisma } from '../src/data/prisma.js';
import { catalogSubgraph } from '../src/subgraph.js';

export interface TestServer extends TestSubgraph<CatalogPrisma> {
  /** Every SQL statement the subgraph's client sent, in order. */
  queries: string[];
}

export async function startTestServer(): Promise<TestServer> {
  const queries: string[] = [];
  // Prisma's statements and the read path's direct ones alike.
  const database = openCatalogDatabase({ databaseUrl: databaseUrl('catalog', 'test'), onQuery: (sql) => queries.push(sql) });
  const running = await startSubgraph(catalogSubgraph({ database, relay: false }), { port: 0 });
  const server = testSubgraph(running, database.prisma);
  return {
    ...server,
    queries,
    async stop() {
      await running.stop();
      await database.close();
    },
  };
}

/** Every catalog table, emptied; each test file starts from nothing. */
export async function truncateAll(db: CatalogPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE categories, products, product_images, product_variants, variant_options, prices, reviews, outbox_events, processed_events, audit_entries RESTART IDENTITY CASCADE',
  );
}

export interface Tokens {
  admin: string;
  customer: string;
  customerId: string;
}

export async function tokens(): Promise<Tokens> {
  const admin = await tokenFor({ roles: ['ADMIN'] });
  const customer = await tokenFor({ roles: ['CUSTOMER'] });
  return { admin: admin.token, customer: customer.token, customerId: customer.userId };
}

export interface OutboxRow {
  event_type: string;
  topic: string;
  aggregate_id: string;
  envelope: { type: string; aggregateId: string; payload: Record<string, unknown> };
}

export const outboxRows = (db: CatalogPrisma, aggregateId?: string): Promise<OutboxRow[]> =>
  aggregateId
    ? db.$queryRaw<OutboxRow[]>`SELECT event_type, topic, aggregate_id, envelope FROM outbox_events WHERE aggregate_id = ${aggregateId} ORDER BY position`
    : db.$queryRaw<OutboxRow[]>`SELECT event_type, topic, aggregate_id, envelope FROM outbox_events ORDER BY position`;

/** A GraphQL error response must never leak internals. */
export function expectNoInternals(result: GraphQLResponse<unknown>): void {
  const text = JSON.stringify(result.errors ?? []);
  expect(text).not.toMatch(/stacktrace|prisma|at \w+ \(|\.ts:\d+|SELECT|INSERT/i);
}

const CREATE_CATEGORY = `mutation ($input: CreateCategoryInput!) { createCategory(input: $input) { id slug name } }`;
const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) {
  createProduct(input: $input) { id slug name status variants { id sku } }
}`;

export interface CreatedProduct {
  id: string;
  slug: string;
  name: string;
  status: string;
  variants: { id: string; sku: string }[];
}

export async function createCategory(
  server: TestServer,
  token: string,
  input: { name: string; slug?: string; parentId?: string; description?: string },
): Promise<{ id: string; slug: string; name: string }> {
  const data = await server.ok<{ createCategory: { id: string; slug: string; name: string } }>(CREATE_CATEGORY, {
    token,
    variables: { input },
  });
  return data.createCategory;
}

let skuCounter = 0;

/** A product with one variant per entry of `variants` (USD and EUR prices), via the admin API. */
export async function createProduct(
  server: TestServer,
  token: string,
  input: {
    name: string;
    categoryId: string;
    slug?: string;
    brand?: string;
    images?: { url: string; altText?: string }[];
    variants?: { sku?: string; name?: string; options?: { name: string; value: string }[]; prices?: { amountMinor: number; currency: string }[] }[];
  },
): Promise<CreatedProduct> {
  const variants = (input.variants ?? [{}]).map((variant) => ({
    sku: variant.sku ?? `T-${process.pid}-${++skuCounter}`,
    name: variant.name ?? 'Default',
    options: variant.options ?? [],
    prices: variant.prices ?? [
      { amountMinor: 1999, currency: 'USD' },
      { amountMinor: 1899, currency: 'EUR' },
    ],
  }));
  const data = await server.ok<{ createProduct: CreatedProduct }>(CREATE_PRODUCT, {
    token,
    variables: { input: { ...input, variants } },
  });
  return data.createProduct;
}
