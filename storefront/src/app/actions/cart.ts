'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import type { CurrencyCode } from '@/graphql/generated/graphql';
import { type CartRef, cartRefForWrite, createAnonymousCart, existingCartRef } from '@/lib/cart';
import { errorCode, messageFor } from '@/lib/errors';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { currency } from '@/lib/session';

/**
 * Cart changes, as server actions (Next checks their Origin, so no other site
 * can change a cart). Each returns a state for `useActionState`, so a message
 * shows at the form the shopper used, with or without JavaScript.
 */
export interface CartActionState {
  status: 'idle' | 'ok' | 'error';
  message?: string;
  /** Changes with every answer, so a screen reader hears the same message twice. */
  at?: number;
}

const AddCartLineMutation = graphql(`
  mutation AddCartLine($input: AddCartLineInput!) {
    addCartLine(input: $input) {
      cart {
        id
        currency
        itemCount
      }
    }
  }
`);

const SetCartCurrencyAfterAddMutation = graphql(`
  mutation SetCartCurrencyAfterAdd($input: SetCartCurrencyInput!) {
    setCartCurrency(input: $input) {
      cart {
        id
        currency
      }
    }
  }
`);

const UpdateCartLineQuantityMutation = graphql(`
  mutation UpdateCartLineQuantity($input: UpdateCartLineQuantityInput!) {
    updateCartLineQuantity(input: $input) {
      cart {
        id
        itemCount
      }
    }
  }
`);

const RemoveCartLineMutation = graphql(`
  mutation RemoveCartLine($input: RemoveCartLineInput!) {
    removeCartLine(input: $input) {
      cart {
        id
        itemCount
      }
    }
  }
`);

const SaveCartLineForLaterMutation = graphql(`
  mutation SaveCartLineForLater($input: SaveCartLineForLaterInput!) {
    saveCartLineForLater(input: $input) {
      cart {
        id
        itemCount
      }
    }
  }
`);

const MoveSavedLineToCartMutation = graphql(`
  mutation MoveSavedLineToCart($input: MoveSavedLineToCartInput!) {
    moveSavedLineToCart(input: $input) {
      cart {
        id
        itemCount
      }
    }
  }
`);

const ApplyDiscountCodeMutation = graphql(`
  mutation ApplyDiscountCode($input: ApplyDiscountCodeInput!) {
    applyDiscountCode(input: $input) {
      cart {
        id
        discountCode
      }
    }
  }
`);

const RemoveDiscountCodeMutation = graphql(`
  mutation RemoveDiscountCode($input: RemoveDiscountCodeInput!) {
    removeDiscountCode(input: $input) {
      cart {
        id
        discountCode
      }
    }
  }
`);

const CART_MESSAGES: Record<string, string> = {
  NOT_FOUND: 'That item is no longer available.',
  BAD_USER_INPUT: 'Choose a quantity from 1 to 99 (a cart holds at most 100 different items).',
  FORBIDDEN: 'Your cart could not be opened. Please reload the page.',
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
};

function ok(message: string): CartActionState {
  return { status: 'ok', message, at: Date.now() };
}

function failed(error: unknown, messages: Record<string, string> = {}): CartActionState {
  const code = errorCode(error);
  const reason = error instanceof GraphQLRequestError ? error.reason : undefined;
  const message = (code && (messages[code] ?? CART_MESSAGES[code])) || messageFor(code, reason);
  return { status: 'error', message, at: Date.now() };
}

function quantityFrom(formData: FormData, min: number): number | null {
  const quantity = Number(formData.get('quantity'));
  return Number.isInteger(quantity) && quantity >= min && quantity <= 99 ? quantity : null;
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** Adds a variant (the product page's AddToCartForm). Creates the cart on the first add. */
export async function addCartLine(_previous: CartActionState, formData: FormData): Promise<CartActionState> {
  const variantId = text(formData, 'variantId');
  const quantity = quantityFrom(formData, 1);
  if (!variantId) return { status: 'error', message: 'Choose an option first.', at: Date.now() };
  if (quantity === null) return { status: 'error', message: 'Choose a quantity from 1 to 99.', at: Date.now() };
  const chosenCurrency = await currency();
  const messages = {
    NOT_FOUND: 'This product is no longer available.',
    UNSUPPORTED_CURRENCY: `This item is not sold in ${chosenCurrency}. Switch the currency to buy it.`,
  };
  try {
    let target = await cartRefForWrite(chosenCurrency);
    let cart: { id: string; currency: CurrencyCode };
    try {
      cart = await add(target.ref, target.accessToken, variantId, quantity);
    } catch (error) {
      // The anonymous cart expired (24 h): start a new one and add again.
      if (!(error instanceof GraphQLRequestError) || target.accessToken || target.created || !isGoneCart(error)) throw error;
      target = { ref: (await createAnonymousCart(chosenCurrency)).ref, created: true };
      cart = await add(target.ref, undefined, variantId, quantity);
    }
    if (target.accessToken && cart.currency !== chosenCurrency) {
      // A signed-in shopper's first add creates the cart in USD: bring it to the chosen currency.
      await executeGraphQL(SetCartCurrencyAfterAddMutation, {
        variables: { input: { currency: chosenCurrency } },
        accessToken: target.accessToken,
      }).catch(() => undefined);
    }
  } catch (error) {
    return failed(error, messages);
  }
  refresh();
  return ok(quantity === 1 ? 'Added to cart' : `Added ${quantity} to cart`);
}

function isGoneCart(error: GraphQLRequestError): boolean {
  // NOT_FOUND names what was missing: "Cart <id> was not found." (not "Product variant …").
  return error.code === 'FORBIDDEN' || (error.code === 'NOT_FOUND' && /^Cart\b/.test(error.message));
}

async function add(ref: CartRef, accessToken: string | undefined, variantId: string, quantity: number) {
  const data = await executeGraphQL(AddCartLineMutation, { variables: { input: { ...ref, variantId, quantity } }, accessToken });
  return data.addCartLine.cart;
}

/**
 * One form per cart line; its buttons say what to do (`intent`): update the
 * quantity, remove, save for later, or (for a saved line) move back to the cart.
 */
export async function changeCartLine(_previous: CartActionState, formData: FormData): Promise<CartActionState> {
  const lineId = text(formData, 'lineId');
  const intent = text(formData, 'intent') || 'update';
  const target = await existingCartRef();
  if (!target || !lineId) return { status: 'error', message: 'Your cart has changed. Please reload the page.', at: Date.now() };
  const { ref, accessToken } = target;
  const input = { ...ref, lineId };
  let message: string;
  try {
    switch (intent) {
      case 'remove':
        await executeGraphQL(RemoveCartLineMutation, { variables: { input }, accessToken });
        message = 'Removed from your cart';
        break;
      case 'save':
        await executeGraphQL(SaveCartLineForLaterMutation, { variables: { input }, accessToken });
        message = 'Saved for later';
        break;
      case 'move':
        await executeGraphQL(MoveSavedLineToCartMutation, { variables: { input }, accessToken });
        message = 'Moved to your cart';
        break;
      default: {
        const quantity = quantityFrom(formData, 0);
        if (quantity === null) return { status: 'error', message: 'Choose a quantity from 0 to 99.', at: Date.now() };
        await executeGraphQL(UpdateCartLineQuantityMutation, { variables: { input: { ...input, quantity } }, accessToken });
        message = quantity === 0 ? 'Removed from your cart' : 'Quantity updated';
      }
    }
  } catch (error) {
    return failed(error, { NOT_FOUND: 'That item is no longer in your cart.' });
  }
  refresh();
  return ok(message);
}

export async function applyDiscountCode(_previous: CartActionState, formData: FormData): Promise<CartActionState> {
  const code = text(formData, 'code');
  if (!code) return { status: 'error', message: 'Enter a discount code.', at: Date.now() };
  const target = await existingCartRef();
  if (!target) return { status: 'error', message: 'Add something to your cart first.', at: Date.now() };
  try {
    await executeGraphQL(ApplyDiscountCodeMutation, { variables: { input: { ...target.ref, code } }, accessToken: target.accessToken });
  } catch (error) {
    return failed(error, { BAD_USER_INPUT: 'Enter a valid discount code.' });
  }
  refresh();
  return ok(`Discount code ${code.toUpperCase()} applied`);
}

export async function removeDiscountCode(_previous: CartActionState, _formData: FormData): Promise<CartActionState> {
  const target = await existingCartRef();
  if (!target) return { status: 'error', message: 'Your cart has changed. Please reload the page.', at: Date.now() };
  try {
    await executeGraphQL(RemoveDiscountCodeMutation, { variables: { input: { ...target.ref } }, accessToken: target.accessToken });
  } catch (error) {
    return failed(error);
  }
  refresh();
  return ok('Discount code removed');
}
