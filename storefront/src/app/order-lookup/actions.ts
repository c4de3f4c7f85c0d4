'use server';
import type { FormState } from '@/components/account/form-state';
import { graphql } from '@/graphql/generated';
import type { GuestOrderLookupQuery } from '@/graphql/generated/graphql';
import { formError, text } from '@/lib/form-errors';
import { executeGraphQL } from '@/lib/graphql';

const GuestOrderLookupQueryDocument = graphql(`
  query GuestOrderLookup($input: OrderLookupInput!) {
    orderLookup(input: $input) {
      ...OrderDetails
      timeline {
        at
        to
      }
    }
  }
`);

export type LookedUpOrder = NonNullable<GuestOrderLookupQuery['orderLookup']>;
export type LookupState = FormState & { order?: LookedUpOrder };

const NOT_FOUND_MESSAGE = "We couldn't find an order with that number and email. Check both and try again.";

/**
 * A guest's order by number and email. The answer never says which of the two
 * was wrong (the graph cannot tell either). A POST, so the email stays out of
 * URLs, history and logs.
 */
export async function lookUpOrder(_previous: LookupState, form: FormData): Promise<LookupState> {
  const number = text(form, 'number').trim().replace(/^#/, '').trim();
  const email = text(form, 'email').trim();
  const values = { number, email };
  const fieldErrors: Record<string, string> = {};
  if (!number) fieldErrors.number = 'Enter the order number from your confirmation email.';
  if (!email) fieldErrors.email = 'Enter the email you ordered with.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    const data = await executeGraphQL(GuestOrderLookupQueryDocument, { variables: { input: { number, email } } });
    if (!data.orderLookup) return { status: 'error', message: NOT_FOUND_MESSAGE, values };
    return { status: 'success', values, order: data.orderLookup };
  } catch (error) {
    // A malformed number or email is still "not found": never tell which one was wrong.
    const state = formError(error, { values, messages: { BAD_USER_INPUT: NOT_FOUND_MESSAGE, NOT_FOUND: NOT_FOUND_MESSAGE } });
    return { ...state, fieldErrors: undefined, message: state.message ?? NOT_FOUND_MESSAGE };
  }
}
