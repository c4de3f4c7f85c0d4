/**
 * What bench:router sends: the queries of each scenario, the bench users who
 * sign in, and the checks that every gateway gives the reference gateway's
 * answer before it is measured.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Recording } from './router-protocol.ts';

// ---------------------------------------------------------------------------
// Queries

/** A storefront listing page: 20 products with price range, variants, rating, 3 reviews with the author's name. */
export const STOREFRONT_QUERY = `query Storefront {
  products(first: 20) {
    edges {
      node {
        id
        name
        slug
        priceRange(currency: USD) { min { amountMinor currency } max { amountMinor currency } }
        variants { id sku price(currency: USD) { amountMinor currency } }
        rating { average count }
        reviews(first: 3) { edges { node { id rating title author { id name } } } }
      }
    }
  }
}`;

/** The same page without what only the users subgraph knows: all of it resolves in catalog. */
export const CATALOG_ONLY_QUERY = STOREFRONT_QUERY.replace('author { id name }', 'author { id }').replace('query Storefront', 'query StorefrontCatalogOnly');

/**
 * The listing as a signed-in shopper's page asks for it: the same products,
 * plus who is signed in (the header's greeting). `me` also proves that each
 * gateway passed the token on: without it, the answer would be null.
 */
export const SIGNED_IN_QUERY = STOREFRONT_QUERY.replace('query Storefront {', 'query StorefrontSignedIn {\n  me { id name }');

/** A light page: one subgraph, one statement. */
export const LIGHT_QUERY = `query Categories {
  categories(first: 20) { edges { node { id slug name } } }
}`;

// ---------------------------------------------------------------------------
// Talking GraphQL

export interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function graphql(url: string, query: string, options: { variables?: Record<string, unknown>; token?: string } = {}): Promise<GraphQLBody> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  return (await response.json()) as GraphQLBody;
}

// ---------------------------------------------------------------------------
// Bench users: review authors, and shoppers who sign in

const AUTHOR_COUNT = 60;
const BENCH_PASSWORD = 'bench-password-2026';
const authorEmail = (index: number): string => `bench-author-${index}@bench.example.com`;

interface AuthPayloadData {
  accessToken: string;
  user: { id: string };
}

async function login(usersUrl: string, email: string): Promise<AuthPayloadData | undefined> {
  const loggedIn = await graphql(usersUrl, 'mutation ($input: LoginInput!) { login(input: $input) { accessToken user { id } } }', {
    variables: { input: { email, password: BENCH_PASSWORD } },
  });
  return (loggedIn.data as { login?: AuthPayloadData } | null)?.login;
}

async function register(usersUrl: string, index: number): Promise<string> {
  const email = authorEmail(index);
  const registered = await graphql(usersUrl, 'mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
    variables: { input: { email, password: BENCH_PASSWORD, name: `Author ${index}` } },
  });
  const id = (registered.data as { register?: AuthPayloadData } | null)?.register?.user.id;
  if (!id) throw new Error(`could not create bench author ${email}: ${JSON.stringify(registered.errors)}`);
  return id;
}

/** Runs `task` for 0‥count-1, a few at a time (each sign-in is a deliberately slow password hash). */
async function inBatches<T>(count: number, task: (index: number) => Promise<T>, batch = 4): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += batch) {
    const indexes = Array.from({ length: Math.min(batch, count - start) }, (_, offset) => start + offset);
    results.push(...(await Promise.all(indexes.map(task))));
  }
  return results;
}

/** 60 review authors as real users of the bench users database (registered on the first run, signed in after). */
export function ensureAuthors(usersUrl: string): Promise<string[]> {
  return inBatches(AUTHOR_COUNT, async (index) => (await login(usersUrl, authorEmail(index)))?.user.id ?? register(usersUrl, index));
}

export interface Shopper {
  userId: string;
  token: string;
}

/**
 * `count` bench users signed in through the users subgraph's login mutation,
 * one per connection. Called right before the signed-in scenario: access
 * tokens live 15 minutes (ACCESS_TOKEN_TTL_SECONDS).
 */
export function signInShoppers(usersUrl: string, count: number): Promise<Shopper[]> {
  return inBatches(Math.min(count, AUTHOR_COUNT), async (index) => {
    const payload = await login(usersUrl, authorEmail(index));
    if (!payload) throw new Error(`bench user ${authorEmail(index)} could not sign in`);
    return { userId: payload.user.id, token: payload.accessToken };
  });
}

// ---------------------------------------------------------------------------
// Answers: checked identical before every scenario, and sane

export interface AnswerSource {
  name: string;
  url: string;
}

/**
 * Sends `query` (anonymously, or once with each token) to the reference and
 * to every other gateway, and fails unless all answers are free of errors
 * and their data deeply equal to the reference's (extensions differ: our
 * router reports each operation's cost there). Returns the reference's answers.
 */
export async function checkSameAnswers(query: string, reference: AnswerSource, others: AnswerSource[], tokens: (string | undefined)[] = [undefined]): Promise<GraphQLBody[]> {
  const answers: GraphQLBody[] = [];
  for (const token of tokens) {
    const expected = await graphql(reference.url, query, { ...(token ? { token } : {}) });
    if (expected.errors?.length) throw new Error(`${reference.name} answered with errors: ${JSON.stringify(expected.errors.slice(0, 3))}`);
    const received = await Promise.all(others.map((other) => graphql(other.url, query, { ...(token ? { token } : {}) })));
    others.forEach((other, index) => {
      const answer = received[index];
      if (answer?.errors?.length) throw new Error(`${other.name} answered with errors: ${JSON.stringify(answer.errors.slice(0, 3))}`);
      if (!isDeepStrictEqual(answer?.data, expected.data)) throw new Error(`${other.name} and ${reference.name} return different answers to ${query.slice(0, 40)}…`);
    });
    answers.push(expected);
  }
  return answers;
}

interface ListingData {
  me?: { id: string; name: string } | null;
  products: { edges: { node: { reviews: { edges: { node: { author: { id: string; name?: string } } }[] } } }[] };
}

/** The listing must be real work: 20 products and reviews with resolved author names. Returns a description. */
export function describeListing(answer: GraphQLBody): string {
  const products = (answer.data as ListingData).products.edges;
  const reviews = products.flatMap((edge) => edge.node.reviews.edges);
  if (products.length !== 20) throw new Error(`expected 20 products, got ${products.length}: is the bench catalog seeded?`);
  if (!reviews.some((review) => review.node.author.name !== undefined)) throw new Error('no review authors resolved: the users part of the query does no work');
  return `${products.length} products, ${reviews.length} reviews with author names, ${bytesOf(answer)} bytes per response`;
}

/** Each shopper's answer names that shopper: the token reached the users subgraph. */
export function checkSignedIn(answers: GraphQLBody[], shoppers: Shopper[]): void {
  answers.forEach((answer, index) => {
    const me = (answer.data as ListingData).me;
    if (me?.id !== shoppers[index]?.userId) throw new Error(`signed-in listing: me is ${JSON.stringify(me)}, expected user ${shoppers[index]?.userId}`);
  });
}

export function describeLight(answer: GraphQLBody): string {
  const categories = (answer.data as { categories: { edges: unknown[] } }).categories.edges.length;
  if (categories === 0) throw new Error('no categories: is the bench catalog seeded?');
  return `${categories} categories, ${bytesOf(answer)} bytes per response`;
}

/** What the in-memory subgraphs replay: the real catalog's listing, and the author names the gateway resolved. */
export function recordingOf(listing: GraphQLBody, catalogOnly: GraphQLBody): Recording {
  const names: Record<string, string> = {};
  for (const edge of (listing.data as ListingData).products.edges) {
    for (const review of edge.node.reviews.edges) if (review.node.author.name !== undefined) names[review.node.author.id] = review.node.author.name;
  }
  return { products: (catalogOnly.data as { products: unknown }).products, names };
}

const bytesOf = (answer: GraphQLBody): string => Buffer.byteLength(JSON.stringify(answer)).toLocaleString('en-US');
