/**
 * Which events drop which answers: tags worked out from real storefront-like
 * operations on the project's own API schema, and the tags each change event
 * invalidates.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { invalidationFor } from '../src/cache/events.ts';
import { DEFAULT_TAG_RULES, tagPlan, tagsOf } from '../src/cache/tags.ts';

const schema = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

function tags(query: string, data: unknown): string[] {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!operation) throw new Error('no operation');
  return tagsOf(tagPlan(schema, document, operation, DEFAULT_TAG_RULES), data).sort();
}

const envelope = (type: string, aggregateId: string, payload: unknown, version = 1) => ({
  eventId: randomUUID(),
  type,
  version,
  occurredAt: new Date().toISOString(),
  aggregateId,
  payload,
});

describe('tags of an answer', () => {
  it('names every product, variant and review author of a listing, and the product list', () => {
    const query = `query Storefront {
      products(first: 2) { edges { node {
        id name
        variants { id price(currency: USD) { amountMinor } }
        reviews(first: 1) { edges { node { id author { id name } } } }
      } } }
    }`;
    const data = {
      products: {
        edges: [
          { node: { id: 'p1', name: 'A', variants: [{ id: 'v1', price: null }], reviews: { edges: [{ node: { id: 'r1', author: { id: 'u1', name: 'Ada' } } }] } } },
          { node: { id: 'p2', name: 'B', variants: [{ id: 'v2', price: null }], reviews: { edges: [{ node: { id: 'r2', author: null } }] } } },
        ],
      },
    };
    // Review ids are not tagged: reviews publish no events.
    expect(tags(query, data)).toEqual(['e:p1', 'e:p2', 'e:u1', 'e:v1', 'e:v2', 'l:Product'].sort());
  });

  it('follows aliases and fragments', () => {
    const query = `query Card($slug: String!) {
      item: product(slug: $slug) { ...Card key: id }
    }
    fragment Card on Product { inStock variants { ... on ProductVariant { variantKey: id } } }`;
    const data = { item: { inStock: true, key: 'p1', variants: [{ variantKey: 'v1' }, { variantKey: 'v2' }] } };
    expect(tags(query, data)).toEqual(['e:p1', 'e:v1', 'e:v2', 'f:Product.inStock', 'l:Product'].sort());
  });

  it('falls back to the type when an entity is selected without its id', () => {
    const query = '{ product(slug: "kettle") { name variants { sku } } }';
    const data = { product: { name: 'Kettle', variants: [{ sku: 'K-1' }] } };
    expect(tags(query, data)).toEqual(['l:Product', 't:Product', 't:ProductVariant']);
  });

  it('tags search results as a product list, facets not at all', () => {
    const query = `{ search(query: "tea") { edges { node { id name } } facets { categories { id count } inStock { inStock count } } } }`;
    const data = { search: { edges: [{ node: { id: 'p1', name: 'Tea' } }], facets: { categories: [{ id: 'c1', count: 1 }], inStock: [] } } };
    expect(tags(query, data)).toEqual(['e:p1', 'l:Product']);
  });

  it('tags nothing entity-like in an answer without products, variants or users', () => {
    expect(tags('{ categories { edges { node { id name } } } }', { categories: { edges: [{ node: { id: 'c1', name: 'Tea' } }] } })).toEqual([]);
  });
});

describe('tags an event invalidates', () => {
  const productId = randomUUID();
  const variantId = randomUUID();

  it('a price change: the product and its variant', () => {
    const event = envelope('product.price_changed', productId, {
      productId,
      variantId,
      sku: 'K-1',
      currency: 'USD',
      previousAmountMinor: 1000,
      amountMinor: 1200,
    });
    expect(invalidationFor(event)).toEqual({ tags: [`e:${productId}`, `e:${variantId}`, 't:Product', 't:ProductVariant'], stockLevels: [] });
  });

  it('a stock level: the variant, and the level to compare for Product.inStock', () => {
    const changedAt = new Date().toISOString();
    const event = envelope('stock.level_changed', variantId, { variantId, available: 0, inStock: false, changedAt });
    expect(invalidationFor(event)).toEqual({ tags: [`e:${variantId}`, 't:ProductVariant'], stockLevels: [{ variantId, inStock: false, changedAt }] });
  });

  it('an unknown version or unreadable payload of a product event: the whole product and the lists', () => {
    const expected = { tags: [`e:${productId}`, 't:Product', 't:ProductVariant', 'l:Product', 'l:ProductVariant'], stockLevels: [] };
    expect(invalidationFor(envelope('product.price_changed', productId, { productId }, 2))).toEqual(expected);
    expect(invalidationFor(envelope('product.price_changed', productId, { productId }))).toEqual(expected);
  });

  it('nothing for events that change nothing cached', () => {
    expect(invalidationFor(envelope('stock.reserved', randomUUID(), {}))).toBeUndefined();
    expect(invalidationFor(envelope('user.registered', randomUUID(), {}))).toBeUndefined();
  });
});
