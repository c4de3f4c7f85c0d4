import { errorCode, tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCategory,
  createProduct,
  expectNoInternals,
  outboxRows,
  startTestServer,
  tokens,
  truncateAll,
  type CreatedProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let categoryId: string;

const REVIEW = `mutation ($input: CreateReviewInput!) {
  createReview(input: $input) { id rating title body author { id } product { id rating { average count } } createdAt }
}`;

interface Review {
  id: string;
  rating: number;
  title: string;
  body: string;
  author: { id: string };
  product: { id: string; rating: { average: number | null; count: number } };
}

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  categoryId = (await createCategory(server, auth.admin, { name: 'Books' })).id;
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const newProduct = (name: string): Promise<CreatedProduct> => createProduct(server, auth.admin, { name, categoryId });

describe('createReview', () => {
  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const product = await newProduct('Anonymous Target');
    const result = await server.gql(REVIEW, { variables: { input: { productId: product.id, rating: 5, title: 'Great' } } });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(await server.db.review.count({ where: { productId: product.id } })).toBe(0);
  });

  it("stores the caller's review, points at the user entity, and updates the rating aggregate", async () => {
    const product = await newProduct('Reviewed Book');
    const data = await server.ok<{ createReview: Review }>(REVIEW, {
      token: auth.customer,
      variables: { input: { productId: product.id, rating: 4, title: '  Good read ', body: 'Enjoyed it.' } },
    });
    expect(data.createReview).toMatchObject({
      rating: 4,
      title: 'Good read',
      body: 'Enjoyed it.',
      author: { id: auth.customerId },
      product: { id: product.id, rating: { average: 4, count: 1 } },
    });
    // Reviews do not publish product.updated (rating churn stays out of the product stream).
    expect((await outboxRows(server.db, product.id)).map((r) => r.event_type)).toEqual(['product.created']);
  });

  it('answers ALREADY_REVIEWED for a second review by the same user, leaving the aggregate alone', async () => {
    const product = await newProduct('Twice Reviewed');
    const { token } = await tokenFor();
    await server.ok(REVIEW, { token, variables: { input: { productId: product.id, rating: 5, title: 'Yes' } } });
    const again = await server.gql(REVIEW, { token, variables: { input: { productId: product.id, rating: 1, title: 'Changed my mind' } } });
    expect(errorCode(again)).toBe('ALREADY_REVIEWED');
    expectNoInternals(again);
    const row = await server.db.product.findUniqueOrThrow({ where: { id: product.id } });
    expect({ count: row.ratingCount, sum: row.ratingSum }).toEqual({ count: 1, sum: 5 });
  });

  it.each([0, 6, -1])('rejects rating %i with BAD_USER_INPUT on field rating', async (rating) => {
    const product = await newProduct(`Rated ${rating + 10}`);
    const result = await server.gql(REVIEW, { token: auth.customer, variables: { input: { productId: product.id, rating, title: 'Hm' } } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('rating');
  });

  it('rejects an empty title, and NOT_FOUND for unknown or archived products', async () => {
    const product = await newProduct('Edge Cases');
    const empty = await server.gql(REVIEW, { token: auth.customer, variables: { input: { productId: product.id, rating: 3, title: ' ' } } });
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors?.[0]?.extensions?.field).toBe('title');
    for (const productId of ['nope', '0193a7d0-0000-7000-8000-000000000001']) {
      const missing = await server.gql(REVIEW, { token: auth.customer, variables: { input: { productId, rating: 3, title: 'Hm' } } });
      expect(errorCode(missing)).toBe('NOT_FOUND');
    }
    await server.ok(`mutation ($id: ID!) { archiveProduct(input: { id: $id }) { id } }`, { token: auth.admin, variables: { id: product.id } });
    const archived = await server.gql(REVIEW, { token: auth.customer, variables: { input: { productId: product.id, rating: 3, title: 'Hm' } } });
    expect(errorCode(archived)).toBe('NOT_FOUND');
  });

  it('counts concurrent reviews by different users exactly (no lost updates)', async () => {
    const product = await newProduct('Popular Book');
    const reviewers = await Promise.all(Array.from({ length: 20 }, () => tokenFor()));
    const ratings = reviewers.map((_, index) => (index % 5) + 1);
    const results = await Promise.all(
      reviewers.map(({ token }, index) =>
        server.gql(REVIEW, { token, variables: { input: { productId: product.id, rating: ratings[index], title: `Review ${index}` } } }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    // The same user racing with themself gets exactly one review in.
    const { token } = reviewers[0] ?? (await tokenFor());
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => server.gql(REVIEW, { token, variables: { input: { productId: product.id, rating: 1, title: 'Again' } } })),
    );
    expect(racing.every((r) => errorCode(r) === 'ALREADY_REVIEWED')).toBe(true);

    const sum = ratings.reduce((a, b) => a + b, 0);
    const row = await server.db.product.findUniqueOrThrow({ where: { id: product.id } });
    expect({ count: row.ratingCount, sum: row.ratingSum }).toEqual({ count: 20, sum });
    const data = await server.ok<{ product: { rating: { average: number; count: number }; reviews: { totalCount: number } } }>(
      `query ($id: ID!) { product(id: $id) { rating { average count } reviews { totalCount } } }`,
      { variables: { id: product.id } },
    );
    expect(data.product).toEqual({ rating: { average: sum / 20, count: 20 }, reviews: { totalCount: 20 } });
  });
});

describe('reading reviews', () => {
  it('pages newest first per product, with totalCount, in one listing', async () => {
    const a = await newProduct('Review Page A');
    const b = await newProduct('Review Page B');
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { token } = await tokenFor();
      const data = await server.ok<{ createReview: Review }>(REVIEW, { token, variables: { input: { productId: a.id, rating: 5, title: `A${i}` } } });
      written.push(data.createReview.id);
    }
    const { token } = await tokenFor();
    await server.ok(REVIEW, { token, variables: { input: { productId: b.id, rating: 2, title: 'B0' } } });

    type Page = { edges: { cursor: string; node: { title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string }; totalCount: number };
    const first = await server.ok<{ a: { reviews: Page }; b: { reviews: Page } }>(
      `query ($a: ID!, $b: ID!) {
        a: product(id: $a) { reviews(first: 3) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } totalCount } }
        b: product(id: $b) { reviews(first: 3) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } totalCount } }
      }`,
      { variables: { a: a.id, b: b.id } },
    );
    expect(first.a.reviews.edges.map((e) => e.node.title)).toEqual(['A4', 'A3', 'A2']);
    expect(first.a.reviews).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    expect(first.b.reviews.edges.map((e) => e.node.title)).toEqual(['B0']);
    expect(first.b.reviews).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });

    const next = await server.ok<{ product: { reviews: Page } }>(
      `query ($a: ID!, $after: String) { product(id: $a) { reviews(first: 3, after: $after) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } totalCount } } }`,
      { variables: { a: a.id, after: first.a.reviews.pageInfo.endCursor } },
    );
    expect(next.product.reviews.edges.map((e) => e.node.title)).toEqual(['A1', 'A0']);
    expect(next.product.reviews.pageInfo.hasNextPage).toBe(false);

    const bad = await server.gql(`query ($a: ID!) { product(id: $a) { reviews(after: "!!") { totalCount } } }`, { variables: { a: a.id } });
    expect(errorCode(bad)).toBe('INVALID_CURSOR');
  });
});
