import 'server-only';
import { graphql } from '@/graphql/generated';
import type { CartViewFragment, CurrencyCode } from '@/graphql/generated/graphql';
import { GraphQLRequestError, executeGraphQL } from './graphql';
import { accessToken, anonymousCart, clearAnonymousCart, saveAnonymousCart } from './session';

/**
 * The current shopper's cart, wherever it lives: a signed-in shopper's own cart
 * (reached by identity, no id), or an anonymous cart named by the `sf_cart`
 * cookie (`<cartId>.<cartToken>`). Every read here is personal: sent with the
 * shopper's token or cart token and never cached.
 */
export type CartView = CartViewFragment;

const MyCartQuery = graphql(`
  query MyCart {
    myCart {
      ...CartView
    }
  }
`);

const AnonymousCartQuery = graphql(`
  query AnonymousCart($id: ID!, $cartToken: String!) {
    cart(id: $id, cartToken: $cartToken) {
      ...CartView
    }
  }
`);

const CreateAnonymousCartMutation = graphql(`
  mutation CreateAnonymousCart($input: CreateCartInput!) {
    createCart(input: $input) {
      cartToken
      cart {
        id
      }
    }
  }
`);

const MergeCartMutation = graphql(`
  mutation MergeAnonymousCart($input: MergeCartInput!) {
    mergeCart(input: $input) {
      cart {
        id
        itemCount
      }
    }
  }
`);

/** How a cart mutation names the shopper's cart: nothing for a signed-in shopper, id + token for an anonymous one. */
export interface CartRef {
  cartId?: string;
  cartToken?: string;
}

export interface ShopperCart {
  cart: CartView | null;
  /** Whether the cart is reached by the shopper's identity (signed in) rather than a cart token. */
  signedIn: boolean;
}

/**
 * Server only: the current shopper's cart or null (no cart yet, or an
 * anonymous cart that expired or is no longer theirs). Never cached. Throws
 * RouterUnavailableError when the graph cannot be reached.
 */
export async function loadCart(): Promise<CartView | null> {
  return (await loadShopperCart()).cart;
}

export async function loadShopperCart(): Promise<ShopperCart> {
  const token = await accessToken();
  if (token) {
    const data = await executeGraphQL(MyCartQuery, { accessToken: token, cache: 'no-store' });
    return { cart: data.myCart ?? null, signedIn: true };
  }
  const anonymous = await anonymousCart();
  if (!anonymous) return { cart: null, signedIn: false };
  return { cart: await loadAnonymousCart(anonymous), signedIn: false };
}

/** An anonymous cart by id and token; null when it expired or is no longer reachable with that token (merged). */
export async function loadAnonymousCart(anonymous: { cartId: string; cartToken: string }): Promise<CartView | null> {
  try {
    const data = await executeGraphQL(AnonymousCartQuery, {
      variables: { id: anonymous.cartId, cartToken: anonymous.cartToken },
      cache: 'no-store',
    });
    return data.cart ?? null;
  } catch (error) {
    // A cart merged into an account, or a stale cookie: as good as no cart.
    if (error instanceof GraphQLRequestError && ['FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND'].includes(error.code)) return null;
    throw error;
  }
}

/**
 * Server actions only. The reference for a cart mutation, creating an
 * anonymous cart (in `currency`) and keeping it in the cookie when the shopper
 * has none yet. Signed-in shoppers need no reference: the first addCartLine
 * creates their cart.
 */
export async function cartRefForWrite(currency: CurrencyCode): Promise<{ ref: CartRef; accessToken?: string; created: boolean }> {
  const token = await accessToken();
  if (token) return { ref: {}, accessToken: token, created: false };
  const existing = await anonymousCart();
  if (existing) return { ref: { cartId: existing.cartId, cartToken: existing.cartToken }, created: false };
  const { ref } = await createAnonymousCart(currency);
  return { ref, created: true };
}

export async function createAnonymousCart(currency: CurrencyCode): Promise<{ ref: CartRef }> {
  const data = await executeGraphQL(CreateAnonymousCartMutation, { variables: { input: { currency } }, cache: 'no-store' });
  const cartToken = data.createCart.cartToken;
  if (!cartToken) throw new GraphQLRequestError([{ message: 'No cart token', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  await saveAnonymousCart({ cartId: data.createCart.cart.id, cartToken });
  return { ref: { cartId: data.createCart.cart.id, cartToken } };
}

/** Server actions only: the cart reference for changing an existing cart, or null when the shopper has none. */
export async function existingCartRef(): Promise<{ ref: CartRef; accessToken?: string } | null> {
  const token = await accessToken();
  if (token) return { ref: {}, accessToken: token };
  const existing = await anonymousCart();
  return existing ? { ref: { cartId: existing.cartId, cartToken: existing.cartToken } } : null;
}

/**
 * Server actions only (sign-in and sign-up): moves the anonymous cart held in
 * the cookie into the signed-in shopper's cart and forgets the cookie. Safe
 * to call when there is no anonymous cart. A cart that is gone or no longer
 * reachable is simply dropped; when the graph is down the cookie stays, so the
 * next sign-in can merge it.
 */
export async function mergeAnonymousCartAfterSignIn(accessToken: string): Promise<void> {
  const anonymous = await anonymousCart();
  if (!anonymous) return;
  try {
    await executeGraphQL(MergeCartMutation, {
      variables: { input: { cartId: anonymous.cartId, cartToken: anonymous.cartToken } },
      accessToken,
    });
  } catch (error) {
    if (!(error instanceof GraphQLRequestError)) return; // router down: keep the cookie for later
  }
  await clearAnonymousCart();
}
