/**
 * What the journeys need from the graph directly (through the router under
 * test): seeded slugs to visit, an admin token, accounts made without the UI.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export async function routerGraphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(inject('routerUrl'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data || body.errors?.length) throw new Error(`router: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const uniqueEmail = (label: string): string => `${label}-${randomUUID().slice(0, 8)}@browser.example.test`;
export const PASSWORD = 'browser-shopper-password-1';

export interface SeededVariant {
  id: string;
  sku: string;
  price: { amountMinor: number; currency: string } | null;
  inStock: boolean;
}
export interface SeededProduct {
  slug: string;
  name: string;
  variants: SeededVariant[];
}

/** Seeded products that are in stock, with their variants (several variants first). */
export async function seededProducts(count = 20): Promise<SeededProduct[]> {
  const data = await routerGraphql<{
    products: { edges: { node: { slug: string; name: string; variants: { id: string; sku: string; price: SeededVariant['price']; availability: { inStock: boolean } }[] } }[] };
  }>(`query BrowserProducts($first: Int!) { products(first: $first) { edges { node { slug name variants { id sku price(currency: USD) { amountMinor currency } availability { inStock } } } } } }`, {
    first: count,
  });
  return data.products.edges
    .map(({ node }) => ({ slug: node.slug, name: node.name, variants: node.variants.map((v) => ({ id: v.id, sku: v.sku, price: v.price, inStock: v.availability.inStock })) }))
    .filter((p) => p.variants.some((v) => v.inStock && v.price))
    .sort((a, b) => b.variants.length - a.variants.length);
}

/** A category with products in it (the largest of the first 100). */
export async function seededCategory(): Promise<{ slug: string; name: string; count: number }> {
  const data = await routerGraphql<{ categories: { edges: { node: { slug: string; name: string; products: { totalCount: number } } }[] } }>(
    '{ categories(first: 100) { edges { node { slug name products(first: 1) { totalCount } } } } }',
  );
  const categories = data.categories.edges.map(({ node }) => ({ slug: node.slug, name: node.name, count: node.products.totalCount }));
  const best = categories.sort((a, b) => b.count - a.count)[0];
  if (!best || best.count === 0) throw new Error('no category with products was seeded');
  return best;
}

export async function adminToken(): Promise<string> {
  const admin = inject('admin');
  const data = await routerGraphql<{ login: { accessToken: string } }>('mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
    input: admin,
  });
  return data.login.accessToken;
}

/** A shopper registered through the API (for journeys that are not about signing up). */
export async function registeredShopper(label: string): Promise<{ email: string; password: string; name: string }> {
  const email = uniqueEmail(label);
  const name = 'Browser Shopper';
  await routerGraphql('mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: { email, password: PASSWORD, name } });
  return { email, password: PASSWORD, name };
}
