'use server';
import { cookies } from 'next/headers';
import { graphql } from '@/graphql/generated';
import { existingCartRef } from '@/lib/cart';
import { COOKIE, sessionCookieOptions } from '@/lib/cookie-names';
import { errorCode, messageFor } from '@/lib/errors';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { isCurrency } from '@/lib/money';

export interface CurrencyActionState {
  status: 'idle' | 'ok' | 'error';
  message?: string;
  at?: number;
}

const SetCartCurrencyMutation = graphql(`
  mutation SetCartCurrency($input: SetCartCurrencyInput!) {
    setCartCurrency(input: $input) {
      cart {
        id
        currency
      }
    }
  }
`);

/**
 * Switches the shop's currency (the `sf_currency` cookie) and the shopper's
 * cart with it, so the cart is priced in what the pages show. When the cart
 * holds something not sold in that currency, nothing changes and the shopper
 * is told which items. Setting the cookie re-renders the page: every price
 * reads `currency()`.
 */
export async function setCurrency(_previous: CurrencyActionState, formData: FormData): Promise<CurrencyActionState> {
  const chosen = formData.get('currency');
  if (!isCurrency(chosen)) return { status: 'error', message: 'Choose USD or EUR.', at: Date.now() };
  const target = await existingCartRef();
  if (target) {
    try {
      await executeGraphQL(SetCartCurrencyMutation, {
        variables: { input: { ...target.ref, currency: chosen } },
        accessToken: target.accessToken,
      });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'UNSUPPORTED_CURRENCY') {
        const skus = unsupportedSkus(error);
        return {
          status: 'error',
          message: `Your cart has items not sold in ${chosen}${skus.length ? ` (SKU ${skus.join(', ')})` : ''}. Remove them to switch.`,
          at: Date.now(),
        };
      }
      // No cart any more (expired, merged): switching the shop's currency is still fine.
      if (code !== 'NOT_FOUND' && code !== 'FORBIDDEN') return { status: 'error', message: messageFor(code), at: Date.now() };
    }
  }
  (await cookies()).set(COOKIE.currency, chosen, { ...sessionCookieOptions(), maxAge: 60 * 60 * 24 * 365 });
  return { status: 'ok', message: `Prices are now in ${chosen}`, at: Date.now() };
}

function unsupportedSkus(error: unknown): string[] {
  if (!(error instanceof GraphQLRequestError)) return [];
  const extensions = error.errors[0]?.extensions ?? {};
  const skus = (extensions.skus ?? (extensions.details as { skus?: unknown } | undefined)?.skus) as unknown;
  return Array.isArray(skus) ? skus.filter((sku): sku is string => typeof sku === 'string') : [];
}
