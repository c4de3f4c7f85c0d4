'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';

const ResendNotificationMutation = graphql(`
  mutation AdminResendNotification($input: ResendNotificationInput!) {
    resendNotification(input: $input) {
      id
      status
    }
  }
`);

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sends a delivery again, as a new delivery; one-time links (password reset…) cannot be resent. */
export async function resendNotification(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const deliveryId = text(form, 'deliveryId');
  if (!ID.test(deliveryId)) return { status: 'error', message: 'This form does not name a delivery. Reload the page.' };
  try {
    await executeGraphQL(ResendNotificationMutation, { variables: { input: { deliveryId } }, accessToken: token });
  } catch (error) {
    return formError(error, { messages: { BAD_USER_INPUT: 'This message cannot be sent again (a one-time link, or its content was not kept).' } });
  }
  refresh();
  return { status: 'success', message: 'Sent again, as a new delivery.' };
}
