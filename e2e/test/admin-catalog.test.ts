/**
 * An administrator manages the catalog through the router, and every change
 * leaves the catalog as exactly one event on Kafka, even when the catalog's
 * outbox relay is restarted while events are still waiting to be published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, eventually, graphql, graphqlOk, KafkaTopicReader, tokenFor } from '@commerce/testing';
import { E2E_ADMIN, startGraph, type Graph } from './support/graph.ts';

let graph: Graph;
let url: string;
let adminToken: string;
const productTopic = new KafkaTopicReader('commerce.product');

interface Envelope {
  eventId: string;
  type: string;
  version: number;
  aggregateId: string;
  payload: Record<string, unknown>;
}

const CREATE_PRODUCT = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { id slug name status variants { sku price(currency: USD) { amountMinor currency } } }
}`;

function productInput(categoryId: string, n: number) {
  const tag = `${Date.now().toString(36)}-${n}`;
  return {
    name: `E2E Trail Shoe ${tag}`,
    description: 'A light shoe for rough paths.',
    brand: 'Northwind',
    categoryId,
    images: [{ url: `https://picsum.photos/seed/e2e-${tag}/800/800`, altText: 'Side view' }],
    variants: [
      { sku: `E2E-${tag}-42`, name: 'EU 42', options: [{ name: 'Size', value: '42' }], prices: [{ amountMinor: 12999, currency: 'USD' }, { amountMinor: 11999, currency: 'EUR' }] },
      { sku: `E2E-${tag}-43`, name: 'EU 43', options: [{ name: 'Size', value: '43' }], prices: [{ amountMinor: 12999, currency: 'USD' }, { amountMinor: 11999, currency: 'EUR' }] },
    ],
  };
}

const createdEventsFor = (productId: string): Envelope[] =>
  productTopic
    .matching((value) => value.type === 'product.created' && value.aggregateId === productId)
    .map((message) => JSON.parse(message.value) as Envelope);

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  await productTopic.start();
  // The users subgraph creates the administrator in the background at start-up.
  adminToken = await eventually(async () => {
    const result = await graphql<{ login: { accessToken: string } }>(
      url, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { variables: { input: E2E_ADMIN } });
    return result.data?.login.accessToken;
  });
});

afterAll(async () => {
  await productTopic.stop();
  await graph?.stop();
});

describe('an administrator', () => {
  let categoryId = '';

  it('creates a category; a customer may not', async () => {
    const input = { name: `E2E Footwear ${Date.now()}` };
    const customer = await tokenFor({ roles: ['CUSTOMER'] });
    const refused = await graphql(url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }', {
      variables: { input }, token: customer.token,
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');

    const created = await graphqlOk<{ createCategory: { id: string; name: string } }>(
      url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id name } }', { variables: { input }, token: adminToken });
    expect(created.createCategory.name).toBe(input.name);
    categoryId = created.createCategory.id;
  });

  it('creates a product, which the storefront sees and Kafka carries exactly once', async () => {
    const input = productInput(categoryId, 0);
    const { createProduct } = await graphqlOk<{ createProduct: { id: string; status: string; variants: { sku: string; price: { amountMinor: number; currency: string } }[] } }>(
      url, CREATE_PRODUCT, { variables: { input }, token: adminToken });
    expect(createProduct.status).toBe('ACTIVE');
    expect(createProduct.variants.map((v) => v.price)).toEqual([
      { amountMinor: 12999, currency: 'USD' },
      { amountMinor: 12999, currency: 'USD' },
    ]);

    const [event] = await eventually(async () => {
      const events = createdEventsFor(createProduct.id);
      return events.length > 0 ? events : undefined;
    });
    expect(event).toMatchObject({ type: 'product.created', version: 1, aggregateId: createProduct.id });
    expect(event!.payload).toMatchObject({ productId: createProduct.id, name: input.name });

    const shopperView = await graphqlOk<{ product: { name: string; category: { id: string } } }>(
      url, 'query($id: ID!) { product(id: $id) { name category { id } } }', { variables: { id: createProduct.id } });
    expect(shopperView.product).toEqual({ name: input.name, category: { id: categoryId } });
  });

  it('keeps each product.created exactly once on Kafka when the relay restarts mid-way', async () => {
    const ids: string[] = [];
    // A burst of products, then the catalog subgraph (and its relay) stops at
    // once, with events possibly still unpublished or in flight, and restarts.
    const burst = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => graphqlOk<{ createProduct: { id: string } }>(url, CREATE_PRODUCT, {
        variables: { input: productInput(categoryId, n) }, token: adminToken,
      })),
    );
    ids.push(...burst.map((r) => r.createProduct.id));
    await graph.restart('catalog', async () => {
      // While the relay is down, nothing new can be published...
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const after = await graphqlOk<{ createProduct: { id: string } }>(url, CREATE_PRODUCT, {
      variables: { input: productInput(categoryId, 7) }, token: adminToken,
    });
    ids.push(after.createProduct.id);

    await eventually(async () => (ids.every((id) => createdEventsFor(id).length > 0) ? true : undefined), 20_000);
    // Give a duplicate, if there were one, time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const id of ids) {
      const events = createdEventsFor(id);
      expect(events, `product.created for ${id}`).toHaveLength(1);
    }
    const keys = new Set(productTopic.matching((v) => ids.includes(String(v.aggregateId))).map((m) => m.key));
    expect([...keys].sort()).toEqual([...ids].sort());
  });

  it('archives a product, which disappears from the storefront but stays visible to admins', async () => {
    const { createProduct } = await graphqlOk<{ createProduct: { id: string } }>(url, CREATE_PRODUCT, {
      variables: { input: productInput(categoryId, 8) }, token: adminToken,
    });
    await graphqlOk(url, 'mutation($input: ArchiveProductInput!) { archiveProduct(input: $input) { status } }', {
      variables: { input: { id: createProduct.id } }, token: adminToken,
    });
    const publicView = await graphqlOk<{ product: null | { id: string } }>(
      url, 'query($id: ID!) { product(id: $id) { id } }', { variables: { id: createProduct.id } });
    expect(publicView.product).toBeNull();
    const adminView = await graphqlOk<{ product: { status: string } }>(
      url, 'query($id: ID!) { product(id: $id) { status } }', { variables: { id: createProduct.id }, token: adminToken });
    expect(adminView.product.status).toBe('ARCHIVED');
    const updated = await eventually(async () => {
      const events = productTopic
        .matching((v) => v.type === 'product.updated' && v.aggregateId === createProduct.id)
        .map((m) => JSON.parse(m.value) as Envelope);
      return events.length > 0 ? events : undefined;
    });
    expect(updated[0]!.payload).toMatchObject({ status: 'ARCHIVED' });
  });
});
