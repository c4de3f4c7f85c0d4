/**
 * Inventory's part of the graph: stock fields on the catalog's entities,
 * resolved through `_entities` in one SQL statement for any number of
 * references, and a schema that composes with the catalog's.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { errorCode } from '@commerce/testing';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BERLIN,
  NEWARK,
  createProduct,
  deliver,
  orderPlaced,
  setStock,
  startTestServer,
  tokens,
  truncateAll,
  type TestProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let products: TestProduct[];

beforeAll(async () => {
  server = await startTestServer();
  auth = await tokens();
  await truncateAll(server.db);
  // 10 products of 2 variants; even products in stock (one variant), odd ones sold out.
  products = [];
  for (let i = 0; i < 10; i++) products.push(await createProduct(server, 2));
  for (const [i, product] of products.entries()) {
    const [first, second] = product.variantIds as [string, string];
    if (i % 2 === 0) await setStock(server.db, first, { [NEWARK]: 3 + i, [BERLIN]: 1 });
    await setStock(server.db, second, { [NEWARK]: 0 });
  }
  // Hold 2 units of product 0's first variant (4 on hand): 2 available, low.
  await deliver(server, orderPlaced([{ variantId: products[0]?.variantIds[0] as string, quantity: 2 }]));
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const VARIANT_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on ProductVariant { id inStock availability { available onHand reserved inStock lowStock } }
  }
}`;

const PRODUCT_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id inStock } }
}`;

interface VariantEntity {
  id: string;
  inStock: boolean;
  availability: { available: number; onHand: number; reserved: number; inStock: boolean; lowStock: boolean };
}

async function countQueries<T>(run: () => Promise<T>): Promise<{ count: number; result: T }> {
  server.queries.length = 0;
  const result = await run();
  return { count: server.queries.length, result };
}

const variantRefs = (ids: readonly string[]) => ids.map((id) => ({ __typename: 'ProductVariant', id }));

describe('ProductVariant stock', () => {
  it('resolves 2 or 20 variant references in one statement', async () => {
    const all = products.flatMap((p) => p.variantIds);
    const small = await countQueries(() =>
      server.ok<{ _entities: VariantEntity[] }>(VARIANT_ENTITIES, { variables: { representations: variantRefs(all.slice(0, 2)) } }),
    );
    const large = await countQueries(() =>
      server.ok<{ _entities: VariantEntity[] }>(VARIANT_ENTITIES, { variables: { representations: variantRefs(all) } }),
    );
    console.info(`_entities: ${small.count} statement(s) for 2 variants, ${large.count} for 20`);
    expect(large.result._entities).toHaveLength(20);
    expect(small.count).toBe(1);
    expect(large.count).toBe(1);

    const [first] = large.result._entities;
    expect(first).toEqual({
      id: products[0]?.variantIds[0],
      inStock: true,
      availability: { available: 2, onHand: 4, reserved: 2, inStock: true, lowStock: true },
    });
    const plenty = large.result._entities[8]; // product 4's first variant: 8 on hand
    expect(plenty?.availability).toEqual({ available: 8, onHand: 8, reserved: 0, inStock: true, lowStock: false });
    const soldOut = large.result._entities[1];
    expect(soldOut).toMatchObject({ inStock: false, availability: { available: 0, onHand: 0, reserved: 0, inStock: false } });
  });

  it('answers "none available" for a variant it never heard of, and for a malformed id', async () => {
    const data = await server.ok<{ _entities: VariantEntity[] }>(VARIANT_ENTITIES, {
      variables: { representations: variantRefs([randomUUID(), 'not-a-uuid']) },
    });
    for (const entity of data._entities) {
      expect(entity.inStock).toBe(false);
      expect(entity.availability).toMatchObject({ available: 0, onHand: 0, reserved: 0, inStock: false });
    }
  });

  it('shows the per-warehouse split to admins only', async () => {
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on ProductVariant { id availability { available warehouses { warehouse { code } onHand reserved available } } }
      }
    }`;
    const representations = variantRefs(products.slice(0, 3).map((p) => p.variantIds[0] as string));
    const customer = await server.gql(query, { token: auth.customer, variables: { representations } });
    expect(errorCode(customer)).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(query, { variables: { representations } }))).toBe('UNAUTHENTICATED');

    const admin = await countQueries(() =>
      server.ok<{ _entities: { availability: { warehouses: { warehouse: { code: string }; onHand: number; reserved: number }[] } }[] }>(
        query,
        { token: auth.admin, variables: { representations } },
      ),
    );
    expect(admin.count).toBe(2); // totals, then every variant's warehouses at once
    expect(admin.result._entities[0]?.availability.warehouses).toEqual([
      { warehouse: { code: 'NEWARK' }, onHand: 3, reserved: 2, available: 1 },
      { warehouse: { code: 'BERLIN' }, onHand: 1, reserved: 0, available: 1 },
    ]);
  });
});

describe('Product.inStock', () => {
  it('is true when any variant has a unit available, for 10 products in one statement', async () => {
    const representations = products.map((p) => ({ __typename: 'Product', id: p.productId }));
    const { count, result } = await countQueries(() =>
      server.ok<{ _entities: { id: string; inStock: boolean }[] }>(PRODUCT_ENTITIES, { variables: { representations } }),
    );
    expect(count).toBe(1);
    expect(result._entities.map((p) => p.inStock)).toEqual(products.map((_, i) => i % 2 === 0));
  });

  it('is false for a product it never heard of', async () => {
    const data = await server.ok<{ _entities: { inStock: boolean }[] }>(PRODUCT_ENTITIES, {
      variables: { representations: [{ __typename: 'Product', id: randomUUID() }] },
    });
    expect(data._entities).toEqual([{ id: expect.any(String), inStock: false }]);
  });
});

describe('composition', () => {
  it('composes with the catalog and users subgraphs', () => {
    const read = (path: string) => parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
    const result = composeServices([
      { name: 'users', url: 'http://users/graphql', typeDefs: read('../../users/schema.graphql') },
      { name: 'catalog', url: 'http://catalog/graphql', typeDefs: read('../../catalog/schema.graphql') },
      { name: 'inventory', url: 'http://inventory/graphql', typeDefs: read('../schema.graphql') },
    ]);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    const sdl = result.supergraphSdl ?? '';
    expect(sdl).toMatch(/availability: StockAvailability! @join__field\(graph: INVENTORY\)/);
    expect(sdl).toMatch(/inStock: Boolean! @join__field\(graph: INVENTORY\)/);
  });
});
