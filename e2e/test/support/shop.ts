/** Shop set-up steps shared by the checkout journeys, all through the router. */
import { randomUUID } from 'node:crypto';
import { eventually, graphql, graphqlOk } from '@commerce/testing';
import { E2E_ADMIN } from './graph.ts';

export const SHIPPING_ADDRESS = {
  fullName: 'Nina Newcomer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  countryCode: 'US',
};

export async function adminToken(url: string): Promise<string> {
  // The users subgraph creates the administrator in the background at start-up.
  return eventually(async () => {
    const result = await graphql<{ login: { accessToken: string } }>(
      url, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { variables: { input: E2E_ADMIN } });
    return result.data?.login.accessToken;
  });
}

export interface StockedProduct {
  productId: string;
  variantIds: string[];
  name: string;
}

/**
 * An admin creates a product whose variants cost 25.00 USD each, and stocks
 * each variant once inventory has heard of it from product.created.
 */
export async function createStockedProduct(url: string, token: string, onHand: number[]): Promise<StockedProduct> {
  const tag = randomUUID().slice(0, 8);
  const { createCategory } = await graphqlOk<{ createCategory: { id: string } }>(
    url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
    { variables: { input: { name: `Checkout ${tag}` } }, token });
  const name = `Checkout Mug ${tag}`;
  const { createProduct } = await graphqlOk<{ createProduct: { id: string; variants: { id: string }[] } }>(
    url, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id variants { id } } }',
    {
      token,
      variables: {
        input: {
          name,
          categoryId: createCategory.id,
          variants: onHand.map((_, i) => ({
            sku: `MUG-${tag}-${i}`,
            name: `Colour ${i}`,
            options: [{ name: 'Colour', value: `c${i}` }],
            prices: [{ amountMinor: 2500, currency: 'USD' }, { amountMinor: 2300, currency: 'EUR' }],
          })),
        },
      },
    });
  const { warehouses } = await graphqlOk<{ warehouses: { id: string }[] }>(url, '{ warehouses { id } }', { token });
  const variantIds = createProduct.variants.map((v) => v.id);
  for (const [i, variantId] of variantIds.entries()) {
    await eventually(async () => {
      const result = await graphql(url, 'mutation($input: AdjustStockInput!) { adjustStock(input: $input) { __typename } }', {
        token,
        variables: { input: { variantId, warehouseId: warehouses[0]!.id, setOnHand: onHand[i], reason: 'e2e stock' } },
      });
      if (result.errors) throw new Error(`adjustStock: ${JSON.stringify(result.errors)}`);
      return true;
    }, 30_000);
  }
  return { productId: createProduct.id, variantIds, name };
}

export interface VariantStock {
  available: number;
  onHand: number;
  reserved: number;
}

export async function stockOf(url: string, token: string, variantId: string): Promise<VariantStock> {
  const data = await graphqlOk<{ productVariant: { availability: VariantStock } }>(
    url, 'query($id: ID!) { productVariant(id: $id) { availability { available onHand reserved } } }',
    { variables: { id: variantId }, token });
  return data.productVariant.availability;
}

/** Adds a line to the caller's cart once the cart has heard of the variant (product.created). */
export async function addToCart(
  url: string,
  variantId: string,
  quantity: number,
  auth: { token?: string; cartId?: string; cartToken?: string },
): Promise<{ cartId: string; cartToken: string | null }> {
  if (!auth.token && !auth.cartId) {
    // An anonymous shopper starts a cart and keeps its token.
    const { createCart } = await graphqlOk<{ createCart: { cart: { id: string }; cartToken: string } }>(
      url, 'mutation { createCart(input: { currency: USD }) { cart { id } cartToken } }');
    auth = { cartId: createCart.cart.id, cartToken: createCart.cartToken };
  }
  return eventually(async () => {
    const result = await graphql<{ addCartLine: { cart: { id: string }; cartToken: string | null } }>(
      url, 'mutation($input: AddCartLineInput!) { addCartLine(input: $input) { cart { id } cartToken } }', {
        ...(auth.token ? { token: auth.token } : {}),
        variables: { input: { variantId, quantity, ...(auth.cartId ? { cartId: auth.cartId, cartToken: auth.cartToken } : {}) } },
      });
    if (!result.data) return undefined;
    return { cartId: result.data.addCartLine.cart.id, cartToken: result.data.addCartLine.cartToken ?? auth.cartToken ?? null };
  }, 20_000);
}

export const FINAL_STATUSES = new Set(['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED', 'REFUNDED', 'DELIVERED']);

export async function orderStatus(url: string, token: string, orderId: string): Promise<string | undefined> {
  const result = await graphql<{ order: { status: string } | null }>(
    url, 'query($id: ID!) { order(id: $id) { status } }', { variables: { id: orderId }, token });
  return result.data?.order?.status;
}

/** Waits until the order reaches one of the given statuses and returns it. */
export async function awaitStatus(url: string, token: string, orderId: string, statuses: readonly string[], timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const status = await orderStatus(url, token, orderId);
    return status && statuses.includes(status) ? status : undefined;
  }, timeoutMs, 100);
}

/**
 * Waits until every order is in one of `statuses`, reading them all through
 * the admin `orders` listing: one request per poll, however many orders, so the
 * waiting does not load the graph it is waiting on.
 */
export async function awaitAllStatuses(
  url: string,
  adminToken: string,
  orderIds: readonly string[],
  statuses: readonly string[],
  timeoutMs = 120_000,
): Promise<Map<string, string>> {
  const wanted = new Set(orderIds);
  return eventually(async () => {
    const seen = new Map<string, string>();
    let after: string | null = null;
    do {
      const page: { orders: { edges: { node: { id: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await graphqlOk(url, 'query($after: String) { orders(first: 100, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }', {
          token: adminToken,
          variables: { after },
        });
      for (const { node } of page.orders.edges) if (wanted.has(node.id)) seen.set(node.id, node.status);
      after = page.orders.pageInfo.hasNextPage ? page.orders.pageInfo.endCursor : null;
    } while (after);
    const done = orderIds.every((id) => statuses.includes(seen.get(id) ?? ''));
    return done ? seen : undefined;
  }, timeoutMs, 500);
}
