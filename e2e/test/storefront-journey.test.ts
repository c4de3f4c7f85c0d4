/**
 * A shopper's story, told through the router only: register, sign in, browse
 * the category tree and products (variants, prices, reviews), write a review,
 * and keep an address book.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@commerce/config';
import { errorCode, graphql, graphqlOk, tokenFor, uniqueEmail } from '@commerce/testing';
import { seedCatalog } from '../../subgraphs/catalog/src/index.ts';
import { startGraph, type Graph } from './support/graph.ts';

let graph: Graph;
let url: string;

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  user: { id: string; name: string; email: string };
}

const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken user { id name email } }
}`;
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken user { id name email } }
}`;

async function register(name: string): Promise<AuthPayload & { password: string; email: string }> {
  const email = uniqueEmail(name.split(' ')[0]?.toLowerCase());
  const password = 'correct-horse-battery-9';
  const data = await graphqlOk<{ register: AuthPayload }>(url, REGISTER, { variables: { input: { email, password, name } } });
  return { ...data.register, email, password };
}

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  // Reviews in the seed are written by real users, so their names resolve through the users subgraph.
  const reviewers = await Promise.all(['Rita Reviewer', 'Sam Stars'].map(register));
  await seedCatalog({ databaseUrl: databaseUrl('catalog', 'test'), authorIds: reviewers.map((r) => r.user.id) });
});

afterAll(async () => {
  await graph?.stop();
});

describe('a new shopper', () => {
  let shopper: AuthPayload & { password: string; email: string };

  it('registers, and a second registration with the same email is refused', async () => {
    shopper = await register('Nina Newcomer');
    expect(shopper.user.name).toBe('Nina Newcomer');
    expect(shopper.accessToken.split('.')).toHaveLength(3);

    const again = await graphql(url, REGISTER, {
      variables: { input: { email: shopper.email.toUpperCase(), password: shopper.password, name: 'Copy' } },
    });
    expect(errorCode(again)).toBe('EMAIL_TAKEN');
  });

  it('signs in; a wrong password and an unknown email give the same error', async () => {
    const ok = await graphqlOk<{ login: AuthPayload }>(url, LOGIN, {
      variables: { input: { email: shopper.email, password: shopper.password } },
    });
    expect(ok.login.user.id).toBe(shopper.user.id);
    shopper = { ...shopper, ...ok.login };

    const wrongPassword = await graphql(url, LOGIN, { variables: { input: { email: shopper.email, password: 'nope-nope-nope-1' } } });
    const unknownEmail = await graphql(url, LOGIN, {
      variables: { input: { email: uniqueEmail('ghost'), password: 'nope-nope-nope-1' } },
    });
    expect(errorCode(wrongPassword)).toBe('INVALID_CREDENTIALS');
    expect(unknownEmail.errors?.[0]).toEqual(wrongPassword.errors?.[0]);
  });

  it('is refused with UNAUTHENTICATED when the token is forged or broken', async () => {
    const result = await graphql(url, '{ me { id } }', { token: `${shopper.accessToken.slice(0, -4)}AAAA` });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  // A seeded top-level category: browsing stays inside the demo catalog, whatever other tests created.
  let departmentId = '';

  it('browses the category tree down to a leaf and its products', async () => {
    const roots = await graphqlOk<{
      categories: { edges: { node: { id: string; name: string; children: { edges: { node: { id: string; slug: string } }[] } } }[] };
    }>(url, `{ categories(first: 20) { edges { node { id name children(first: 20) { edges { node { id slug } } } } } } }`);
    expect(roots.categories.edges.length).toBeGreaterThan(1);
    const withChildren = roots.categories.edges.find((e) => e.node.children.edges.length > 0);
    expect(withChildren).toBeDefined();
    const childSlug = withChildren!.node.children.edges[0]!.node.slug;
    departmentId = withChildren!.node.id;

    const child = await graphqlOk<{
      category: { name: string; ancestors: { id: string }[]; products: { edges: { node: { id: string; category: { ancestors: { id: string }[] } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    }>(url, `query($slug: String!) { category(slug: $slug) {
        name ancestors { id }
        products(first: 5) { edges { node { id category { ancestors { id } } } } pageInfo { hasNextPage endCursor } }
      } }`, { variables: { slug: childSlug } });
    expect(child.category.ancestors.map((a) => a.id)).toEqual([withChildren!.node.id]);
    // Products of a category include its subcategories' products.
    expect(child.category.products.edges.length).toBeGreaterThan(0);
    for (const edge of child.category.products.edges) {
      const lineage = edge.node.category.ancestors.map((a) => a.id);
      expect(lineage).toContain(withChildren!.node.id);
    }
  });

  let productId = '';

  it('reads products with variants, prices in two currencies, ratings and reviews with reviewer names', async () => {
    const page = await graphqlOk<{
      products: {
        edges: {
          node: {
            id: string;
            name: string;
            variants: { sku: string; options: { name: string; value: string }[]; usd: { amountMinor: number; currency: string } | null; eur: { amountMinor: number; currency: string } | null }[];
            priceRange: { min: { amountMinor: number }; max: { amountMinor: number } } | null;
            rating: { average: number | null; count: number };
            reviews: { totalCount: number; edges: { node: { rating: number; author: { id: string; name: string } } }[] };
          };
        }[];
        pageInfo: { hasNextPage: boolean };
      };
    }>(url, `query($departmentId: ID!) { products(first: 20, filter: { categoryId: $departmentId }) { edges { node {
        id name
        variants { sku options { name value } usd: price(currency: USD) { amountMinor currency } eur: price(currency: EUR) { amountMinor currency } }
        priceRange(currency: USD) { min { amountMinor } max { amountMinor } }
        rating { average count }
        reviews(first: 3) { totalCount edges { node { rating author { id name } } } }
      } } pageInfo { hasNextPage } } }`, { variables: { departmentId } });
    expect(page.products.edges).toHaveLength(20);
    expect(page.products.pageInfo.hasNextPage).toBe(true);
    for (const { node } of page.products.edges) {
      expect(node.variants.length).toBeGreaterThan(0);
      for (const variant of node.variants) {
        expect(Number.isInteger(variant.usd?.amountMinor)).toBe(true);
        expect(variant.usd?.currency).toBe('USD');
        expect(variant.eur?.currency).toBe('EUR');
      }
      const usd = node.variants.map((v) => v.usd!.amountMinor);
      expect(node.priceRange).toEqual({ min: { amountMinor: Math.min(...usd) }, max: { amountMinor: Math.max(...usd) } });
    }
    const reviewed = page.products.edges.map((e) => e.node).find((n) => n.reviews.totalCount > 0);
    expect(reviewed, 'the seed reviews some products on the first page').toBeDefined();
    expect(['Rita Reviewer', 'Sam Stars']).toContain(reviewed!.reviews.edges[0]!.node.author.name);
    expect(reviewed!.rating.count).toBe(reviewed!.reviews.totalCount);
    productId = page.products.edges.find((e) => e.node.reviews.totalCount === 0)?.node.id ?? page.products.edges[0]!.node.id;
  });

  it('writes a review, which shows with its name and moves the rating', async () => {
    const before = await graphqlOk<{ product: { rating: { count: number } } }>(
      url, 'query($id: ID!) { product(id: $id) { rating { count } } }', { variables: { id: productId } });

    const anonymous = await graphql(url, 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }', {
      variables: { input: { productId, rating: 5, title: 'Great' } },
    });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');

    const badRating = await graphql(url, 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }', {
      variables: { input: { productId, rating: 6, title: 'Too good' } }, token: shopper.accessToken,
    });
    expect(errorCode(badRating)).toBe('BAD_USER_INPUT');

    const created = await graphqlOk<{ createReview: { rating: number; author: { name: string }; product: { rating: { count: number } } } }>(
      url,
      'mutation($input: CreateReviewInput!) { createReview(input: $input) { rating author { name } product { rating { count } } } }',
      { variables: { input: { productId, rating: 4, title: 'Solid', body: 'Does what it says.' } }, token: shopper.accessToken },
    );
    expect(created.createReview.author.name).toBe('Nina Newcomer');
    expect(created.createReview.product.rating.count).toBe(before.product.rating.count + 1);

    const twice = await graphql(url, 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }', {
      variables: { input: { productId, rating: 2, title: 'Changed my mind' } }, token: shopper.accessToken,
    });
    expect(errorCode(twice)).toBe('ALREADY_REVIEWED');
  });

  it('keeps an address book and reads it back through me', async () => {
    const create = 'mutation($input: CreateAddressInput!) { createAddress(input: $input) { id isDefault } }';
    const home = await graphqlOk<{ createAddress: { id: string; isDefault: boolean } }>(url, create, {
      token: shopper.accessToken,
      variables: { input: { fullName: 'Nina Newcomer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' } },
    });
    expect(home.createAddress.isDefault).toBe(true);
    const work = await graphqlOk<{ createAddress: { id: string; isDefault: boolean } }>(url, create, {
      token: shopper.accessToken,
      variables: { input: { fullName: 'Nina Newcomer', line1: '9 Office Rd', city: 'Berlin', postalCode: '10115', countryCode: 'DE', makeDefault: true } },
    });
    expect(work.createAddress.isDefault).toBe(true);

    const bad = await graphql(url, create, {
      token: shopper.accessToken,
      variables: { input: { fullName: 'X', line1: 'Y', city: 'Z', postalCode: '1', countryCode: 'Narnia' } },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');

    const me = await graphqlOk<{
      me: { email: string; defaultAddress: { id: string }; addresses: { totalCount: number; edges: { node: { id: string; countryCode: string; isDefault: boolean } }[] } };
    }>(url, '{ me { email defaultAddress { id } addresses { totalCount edges { node { id countryCode isDefault } } } } }', {
      token: shopper.accessToken,
    });
    expect(me.me.email).toBe(shopper.email);
    expect(me.me.defaultAddress.id).toBe(work.createAddress.id);
    expect(me.me.addresses.totalCount).toBe(2);
    const countries = me.me.addresses.edges.map((e) => e.node.countryCode).sort();
    expect(countries).toEqual(['DE', 'US']);
  });

  it('cannot read another user’s email through the graph', async () => {
    const other = await register('Olga Other');
    const result = await graphql<{ product: { reviews: { edges: { node: { author: { email: string } } }[] } } }>(
      url,
      'query($id: ID!) { product(id: $id) { reviews(first: 5) { edges { node { author { email } } } } } }',
      { variables: { id: productId }, token: other.accessToken },
    );
    expect(result.errors?.some((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });

  it('still sees a product page when a reviewer’s account no longer exists', async () => {
    // A signed token for a user the users subgraph has never stored, as after an account deletion.
    const ghost = await tokenFor();
    await graphqlOk(url, 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }', {
      variables: { input: { productId, rating: 3, title: 'From a closed account' } }, token: ghost.token,
    });
    const page = await graphqlOk<{ product: { reviews: { edges: { node: { title: string; author: { name: string } | null } }[] } } }>(
      url, 'query($id: ID!) { product(id: $id) { reviews(first: 10) { edges { node { title author { name } } } } } }',
      { variables: { id: productId } });
    const titles = page.product.reviews.edges.map((e) => [e.node.title, e.node.author?.name ?? null]);
    expect(titles).toContainEqual(['From a closed account', null]);
    expect(titles).toContainEqual(['Solid', 'Nina Newcomer']);
  });
});
