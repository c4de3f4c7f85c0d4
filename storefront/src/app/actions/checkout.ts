'use server';
import { randomUUID } from 'node:crypto';
import { redirect } from 'next/navigation';
import { cardToken } from '@/components/checkout/card-tokens';
import {
  ADDRESS_FIELDS,
  type AddressField,
  type CheckoutField,
  type CheckoutState,
  type EchoedField,
} from '@/components/checkout/checkout-state';
import { COUNTRIES, isValidPostalCode } from '@/components/checkout/countries';
import { rememberGuestOrder } from '@/components/checkout/guest-orders';
import { paymentMethods } from '@/components/checkout/payment-methods';
import { checkoutProfile } from '@/components/checkout/queries';
import { graphql } from '@/graphql/generated';
import type { AddressInput } from '@/graphql/generated/graphql';
import { stripePublishableKey } from '@/lib/config';
import { errorCode, messageFor } from '@/lib/errors';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { accessToken, anonymousCart, clearAnonymousCart } from '@/lib/session';

const MyCartIdQuery = graphql(`
  query CheckoutCartId {
    myCart {
      id
      itemCount
    }
  }
`);

const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      number
      status
    }
  }
`);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const FIELD_MESSAGES: Partial<Record<CheckoutField, string>> = {
  email: 'Enter a valid email address, e.g. name@example.com.',
  fullName: 'Enter the recipient’s full name.',
  line1: 'Enter the street address.',
  city: 'Enter the city.',
  postalCode: 'Enter a valid postal code for the country.',
  countryCode: 'Choose a country.',
  phone: 'Enter a valid phone number.',
};

const REQUIRED_MESSAGES: Partial<Record<CheckoutField, string>> = {
  ...FIELD_MESSAGES,
  postalCode: 'Enter the postal code.',
};

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Places the order: validates the form, turns the card into the payment
 * provider's token (the card number stops here), and calls placeOrder with
 * the attempt's idempotency key, so a double submit places one order. A guest
 * checks out with the anonymous cart and an email; on success the cart cookie
 * is cleared and the order is remembered for this browser's confirmation page.
 */
export async function placeOrder(_previous: CheckoutState, formData: FormData): Promise<CheckoutState> {
  const token = await accessToken();
  const values: Partial<Record<EchoedField, string>> = { addressId: text(formData, 'addressId'), cardName: text(formData, 'cardName') };
  for (const field of ADDRESS_FIELDS) values[field] = text(formData, field);
  if (!token) values.email = text(formData, 'email');
  const fieldErrors: Partial<Record<CheckoutField, string>> = {};
  const fail = (message: string, extra: Partial<CheckoutState> = {}): CheckoutState => ({
    status: 'error',
    message,
    fieldErrors,
    values,
    at: Date.now(),
    ...extra,
  });

  // Contact
  if (!token && !EMAIL.test(values.email ?? '')) fieldErrors.email = values.email ? FIELD_MESSAGES.email : 'Enter your email address.';

  // Shipping address: a saved one (looked up again here, never trusted from the form) or a new one.
  let shippingAddress: AddressInput | null = null;
  const savedId = values.addressId && values.addressId !== 'new' ? values.addressId : null;
  if (token && savedId) {
    const profile = await checkoutProfile(token).catch(() => null);
    const saved = profile?.addresses.find((address) => address.id === savedId);
    if (!saved) fieldErrors.addressId = 'That saved address is no longer in your address book. Choose another or enter a new one.';
    else {
      shippingAddress = {
        fullName: saved.fullName,
        line1: saved.line1,
        line2: saved.line2 ?? null,
        city: saved.city,
        region: saved.region ?? null,
        postalCode: saved.postalCode,
        countryCode: saved.countryCode,
        phone: saved.phone ?? null,
      };
    }
  } else {
    shippingAddress = newAddress(values, fieldErrors);
  }

  // Payment
  const method = paymentMethods({ stripePublishableKey: stripePublishableKey() })[0];
  let paymentMethodToken: string | null = null;
  if (method?.kind === 'stripe-elements') {
    const stripeToken = text(formData, 'stripePaymentMethod');
    if (/^pm_[A-Za-z0-9_]+$/.test(stripeToken)) paymentMethodToken = stripeToken;
    else fieldErrors.payment = 'Enter your card details.';
  } else {
    const card = cardToken({
      number: text(formData, 'cardNumber'),
      expiry: text(formData, 'cardExpiry'),
      cvc: text(formData, 'cardCvc'),
      name: values.cardName ?? '',
    });
    if (card.ok) paymentMethodToken = card.token;
    else Object.assign(fieldErrors, card.errors);
  }

  if (Object.keys(fieldErrors).length > 0 || !shippingAddress || !paymentMethodToken) {
    const count = Object.keys(fieldErrors).length;
    return fail(count === 1 ? 'Please correct the field marked below.' : `Please correct the ${count} fields marked below.`);
  }

  // The cart: a signed-in shopper's own, or the anonymous cart of the cookie (guest checkout).
  let cartId: string | undefined;
  let cartToken: string | undefined;
  try {
    if (token) {
      cartId = (await executeGraphQL(MyCartIdQuery, { accessToken: token })).myCart?.id;
    } else {
      const anonymous = await anonymousCart();
      cartId = anonymous?.cartId;
      cartToken = anonymous?.cartToken;
    }
  } catch (error) {
    return fail(messageFor(errorCode(error)));
  }
  if (!cartId) return fail(messageFor('CART_EMPTY'), { toCart: true });

  const idempotencyKey = UUID.test(text(formData, 'idempotencyKey')) ? text(formData, 'idempotencyKey') : randomUUID();
  let order: { id: string; number: string };
  try {
    const data = await executeGraphQL(PlaceOrderMutation, {
      variables: {
        input: {
          cartId,
          idempotencyKey,
          paymentMethodToken,
          shippingAddress,
          ...(token ? {} : { cartToken, email: values.email }),
        },
      },
      accessToken: token,
    });
    order = data.placeOrder;
  } catch (error) {
    return placeOrderFailed(error, fieldErrors, fail);
  }

  if (!token && cartToken && values.email) {
    await rememberGuestOrder({ id: order.id, number: order.number, email: values.email.toLowerCase(), cartId, cartToken });
    await clearAnonymousCart();
  }
  redirect(`/orders/${encodeURIComponent(order.id)}`);
}

function newAddress(values: Partial<Record<EchoedField, string>>, fieldErrors: Partial<Record<CheckoutField, string>>): AddressInput | null {
  const required: AddressField[] = ['fullName', 'line1', 'city', 'postalCode', 'countryCode'];
  for (const field of required) if (!values[field]) fieldErrors[field] = REQUIRED_MESSAGES[field];
  const country = values.countryCode ?? '';
  if (country && !COUNTRIES.some((known) => known.code === country)) fieldErrors.countryCode = 'Choose a country from the list.';
  else if (values.postalCode && country && !isValidPostalCode(country, values.postalCode)) fieldErrors.postalCode = FIELD_MESSAGES.postalCode;
  if (values.phone && !/^[+()\d\s.-]{5,25}$/.test(values.phone)) fieldErrors.phone = FIELD_MESSAGES.phone;
  for (const field of ADDRESS_FIELDS) {
    if ((values[field]?.length ?? 0) > 200) fieldErrors[field] = 'This is too long (200 characters at most).';
  }
  if (required.some((field) => fieldErrors[field]) || fieldErrors.phone) return null;
  return {
    fullName: values.fullName ?? '',
    line1: values.line1 ?? '',
    line2: values.line2 || null,
    city: values.city ?? '',
    region: values.region || null,
    postalCode: (values.postalCode ?? '').toUpperCase(),
    countryCode: country,
    phone: values.phone || null,
  };
}

function placeOrderFailed(
  error: unknown,
  fieldErrors: Partial<Record<CheckoutField, string>>,
  fail: (message: string, extra?: Partial<CheckoutState>) => CheckoutState,
): CheckoutState {
  const code = errorCode(error);
  switch (code) {
    case 'CART_EMPTY':
      return fail('Your cart is empty, so there is nothing to order. Add something first.', { toCart: true });
    case 'NOT_FOUND':
      return fail('Your cart has expired. Please add the items again.', { toCart: true });
    case 'UNAUTHENTICATED':
      return fail('Please sign in to place this order.', { signIn: true });
    case 'IDEMPOTENCY_KEY_REUSED':
      return fail('This checkout was already used for a different cart. Please check your order and place it again.', {
        idempotencyKey: randomUUID(),
      });
    case 'SERVICE_UNAVAILABLE':
      return fail('We could not place your order because the shop is temporarily unavailable. Nothing was charged. Please try again in a moment.');
    case 'BAD_USER_INPUT': {
      const field = badInputField(error);
      if (field) {
        fieldErrors[field] = FIELD_MESSAGES[field] ?? 'Please check this field.';
        return fail('Please correct the field marked below.');
      }
      return fail('Some of your details could not be accepted. Please check them and try again.');
    }
    default:
      return fail(messageFor(code));
  }
}

/** BAD_USER_INPUT names its field in `extensions.field`, e.g. "email" or "shippingAddress.postalCode". */
function badInputField(error: unknown): CheckoutField | null {
  if (!(error instanceof GraphQLRequestError)) return null;
  const raw = error.errors[0]?.extensions?.field;
  if (typeof raw !== 'string') return null;
  const last = raw.split('.').pop() ?? '';
  const known: readonly string[] = [...ADDRESS_FIELDS, 'email'];
  return known.includes(last) ? (last as CheckoutField) : null;
}
