/**
 * The router's shared response cache on the whole graph: the real subgraphs,
 * their outbox relays and Kafka. Shoppers keep reading while an administrator
 * changes a price and stock through the router; once the change event is
 * processed nobody sees the old value again. Two shoppers asking the same
 * personal query get their own answers, and nothing personal is ever in Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '@commerce/config';
import type { AppliedInvalidation } from '@commerce/router';
import { eventually, graphql, graphqlOk } from '@commerce/testing';
import { startGraph, type Graph } from './support/graph.ts';
import { adminToken, createStockedProduct, type StockedProduct } from './support/shop.ts';

const prefix = `e2e:rc:${randomUUID().slice(0, 8)}:`;
const invalidations: AppliedInvalidation[] = [];
let graph: Graph;
let url: string;
let admin: string;
let redis: Redis;
let product: StockedProduct;
let slug: string;
let categoryId: string;

const LISTING = `query Listing($categoryId: ID!) {
  products(first: 20, filter: { categoryId: $categoryId }) { edges { node {
    id name slug inStock
    priceRange(currency: USD) { min { amountMinor currency } max { amountMinor currency } }
    variants { id sku price(currency: USD) { amountMinor currency } }
    rating { average count }
    reviews(first: 3) { edges { node { id rating title author { id name } } } }
  } } }
}`;
const PAGE = `query Page($slug: String!) {
  product(slug: $slug) { id name inStock variants { id price(currency: USD) { amountMinor } availability { available inStock } } }
}`;

interface Read {
  sentAt: number;
  query: 'listing' | 'page';
  cache: string | null;
  body: string;
}

async function read(query: 'listing' | 'page', token?: string): Promise<Read> {
  const sentAt = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(query === 'listing' ? { query: LISTING, variables: { categoryId } } : { query: PAGE, variables: { slug } }),
  });
  const body = await response.text();
  if (response.status !== 200 || body.includes('"errors"')) throw new Error(`${query}: ${response.status} ${body.slice(0, 300)}`);
  return { sentAt, query, cache: response.headers.get('x-cache'), body };
}

/** Shoppers reading both pages back to back while `during` runs. */
async function whileShopping<T>(shoppers: number, during: (reads: readonly Read[]) => Promise<T>): Promise<{ result: T; reads: Read[] }> {
  const reads: Read[] = [];
  let done = false;
  const loops = Array.from({ length: shoppers }, async (_, n) => {
    for (let i = n; !done; i++) reads.push(await read(i % 2 === 0 ? 'listing' : 'page'));
  });
  try {
    const result = await during(reads);
    return { result, reads };
  } finally {
    done = true;
    await Promise.all(loops);
  }
}

const appliedFor = (since: number, tag: string, eventType: string) =>
  eventually(() => invalidations.slice(since).find((applied) => applied.tags.includes(tag) && applied.eventTypes.includes(eventType)), 20_000, 10);

beforeAll(async () => {
  graph = await startGraph({ notifications: {}, router: { responseCache: { prefix, onInvalidated: (applied) => invalidations.push(applied) } } });
  url = graph.routerUrl;
  redis = new Redis(redisUrl());
  admin = await adminToken(url);
  product = await createStockedProduct(url, admin, [5, 5]);
  const found = await graphqlOk<{ product: { slug: string; category: { id: string } } }>(url, 'query($id: ID!) { product(id: $id) { slug category { id } } }', {
    variables: { id: product.productId },
  });
  slug = found.product.slug;
  categoryId = found.product.category.id;
  // A review, so the listing also reads the author's name from users.
  const { register } = await graphqlOk<{ register: { accessToken: string } }>(url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
    variables: { input: { email: `reviewer-${randomUUID().slice(0, 8)}@example.test`, password: 'reviewer-password-1', name: 'Rita Reviewer' } },
  });
  await graphqlOk(url, 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }', {
    token: register.accessToken,
    variables: { input: { productId: product.productId, rating: 5, title: 'Lovely' } },
  });
  await eventually(async () => ((await redis.exists(`${prefix}alive`)) === 1 ? true : undefined), 30_000);
});

afterAll(async () => {
  await graph?.stop();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(keys);
    redis.disconnect();
  }
});

describe('the response cache on the whole graph', () => {
  it('serves the storefront listing (catalog, inventory and users) from the cache', async () => {
    const first = await read('listing');
    expect(first.body).toContain('Rita Reviewer');
    const second = await eventually(async () => {
      const again = await read('listing');
      return again.cache === 'HIT' ? again : undefined;
    });
    expect(second.body).toBe(first.body);
  });

  it('after an administrator changes a price, no shopper sees the old one once the event is processed', async () => {
    const variantId = product.variantIds[0]!;
    await read('listing');
    await read('page');
    const since = invalidations.length;
    const { result, reads } = await whileShopping(4, async (sofar) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sent = Date.now();
      await graphqlOk(url, 'mutation($input: SetVariantPricesInput!) { setVariantPrices(input: $input) { id } }', {
        token: admin,
        variables: { input: { variantId, prices: [{ amountMinor: 3100, currency: 'USD' }] } },
      });
      const answered = Date.now();
      const applied = await appliedFor(since, `e:${product.productId}`, 'product.price_changed');
      // Enough reads after it to mean something, however busy the machine.
      await eventually(() => (sofar.filter((r) => r.sentAt > applied.at).length >= 20 ? true : undefined), 20_000);
      return { sent, answered, applied: applied.at };
    });
    const stale = (r: Read) => !r.body.includes('3100');
    const afterInvalidation = reads.filter((r) => r.sentAt > result.applied);
    expect(afterInvalidation.length).toBeGreaterThan(10);
    expect(afterInvalidation.filter(stale)).toEqual([]);
    // The bound: from the mutation's answer to the invalidation applied in Redis.
    const bound = result.applied - result.answered;
    expect(bound, `invalidated ${bound} ms after the mutation answered`).toBeLessThan(5_000);
    const lastStale = Math.max(result.answered, ...reads.filter(stale).map((r) => r.sentAt));
    expect(lastStale).toBeLessThanOrEqual(result.applied);
    // The cache was in use before the change and fills again after it.
    expect(reads.some((r) => r.sentAt < result.sent && r.cache === 'HIT')).toBe(true);
    expect(afterInvalidation.some((r) => r.cache === 'HIT')).toBe(true);
  });

  it('after stock changes, shoppers see the new availability, and out of stock once every variant is', async () => {
    const { warehouses } = await graphqlOk<{ warehouses: { id: string }[] }>(url, '{ warehouses { id } }', { token: admin });
    const setStock = (variantId: string, onHand: number) =>
      graphqlOk(url, 'mutation($input: AdjustStockInput!) { adjustStock(input: $input) { available } }', {
        token: admin,
        variables: { input: { variantId, warehouseId: warehouses[0]!.id, setOnHand: onHand, reason: 'e2e cache' } },
      });
    const [first, second] = product.variantIds as [string, string];
    await eventually(async () => ((await read('page')).cache === 'HIT' ? true : undefined));
    await eventually(async () => ((await read('listing')).cache === 'HIT' ? true : undefined));

    let since = invalidations.length;
    await setStock(first, 2);
    const applied = await appliedFor(since, `e:${first}`, 'stock.level_changed');
    const page = await read('page');
    expect(page.sentAt).toBeGreaterThanOrEqual(applied.at);
    expect(JSON.parse(page.body).data.product.variants.find((v: { id: string }) => v.id === first).availability).toEqual({ available: 2, inStock: true });

    since = invalidations.length;
    await setStock(first, 0);
    await setStock(second, 0);
    await appliedFor(since, `e:${second}`, 'stock.level_changed');
    const listing = await read('listing');
    expect(JSON.parse(listing.body).data.products.edges[0].node.inStock).toBe(false);
  });

  it('gives two shoppers their own answers to the same personal query, and keeps nothing personal in Redis', async () => {
    const shoppers = await Promise.all(
      ['Pat Personal', 'Quinn Private'].map(async (name) => {
        const email = `${name.split(' ')[0]!.toLowerCase()}-${randomUUID().slice(0, 8)}@example.test`;
        const { register } = await graphqlOk<{ register: { accessToken: string; user: { id: string } } }>(
          url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
          { variables: { input: { email, password: 'shopper-password-1', name } } });
        return { name, email, id: register.user.id, token: register.accessToken };
      }),
    );
    const PERSONAL = `query Mine($categoryId: ID!) {
      me { id name email unreadNotificationCount orders(first: 5) { totalCount } cart { id itemCount } }
      products(first: 5, filter: { categoryId: $categoryId }) { edges { node { id name } } }
    }`;
    const fetchHits = graph.router.responseCacheStats()?.fetches.hits ?? 0;
    for (let round = 0; round < 2; round++) {
      for (const shopper of shoppers) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${shopper.token}` },
          body: JSON.stringify({ query: PERSONAL, variables: { categoryId } }),
        });
        const body = (await response.json()) as { data: { me: { id: string; name: string; email: string } } };
        expect(body.data.me).toMatchObject({ id: shopper.id, name: shopper.name, email: shopper.email });
        expect(response.headers.get('x-cache')).toBeNull();
      }
    }
    // The page's public part (the products) came from the cache of subgraph fetches.
    expect(graph.router.responseCacheStats()?.fetches.hits).toBeGreaterThan(fetchHits);
    const anonymous = await graphql<{ me: null }>(url, PERSONAL, { variables: { categoryId } });
    expect(anonymous.data?.me).toBeNull();

    // Their public reads share the one public answer.
    const [pat, quinn] = shoppers as [(typeof shoppers)[0], (typeof shoppers)[0]];
    const patListing = await read('listing', pat.token);
    const quinnListing = await read('listing', quinn.token);
    expect(quinnListing.body).toBe(patListing.body);
    expect(quinnListing.cache).toBe('HIT');

    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const values = await Promise.all(
      keys.map(async (key) => {
        const type = await redis.type(key);
        if (type === 'zset') return (await redis.zrange(key, '0', '-1')).join(' ');
        if (type === 'string') return (await redis.get(key)) ?? '';
        throw new Error(`unexpected ${type} at ${key}`);
      }),
    );
    const everything = `${keys.join(' ')} ${values.join(' ')}`;
    for (const shopper of shoppers) {
      expect(everything).not.toContain(shopper.email);
      expect(everything).not.toContain(shopper.name);
      expect(everything).not.toContain(shopper.id);
    }
    expect(everything).not.toContain('"me"');
  });
});
