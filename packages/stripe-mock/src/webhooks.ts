/**
 * Stripe webhook signing: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`,
 * the scheme `stripe.webhooks.constructEvent` verifies.
 */
import { createHmac } from 'node:crypto';
import type { Charge, PaymentIntent, Refund } from './api.js';

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: PaymentIntent | Charge | Refund | Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** The `Stripe-Signature` header for `payload`, signed with `secret` at `timestamp` (unix seconds, default now). */
export function signWebhookPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** How Stripe serialises an event body: pretty-printed JSON. Signatures cover these exact bytes. */
export const webhookPayload = (event: StripeEvent): string => JSON.stringify(event, null, 2);

export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** HTTP status of the endpoint's answer; 0 when the request failed. */
  status: number;
  body: string;
  error?: string;
}

/** POSTs one signed event to `url`. Never throws: a failure is reported in the result. */
export async function postWebhook(url: string, event: StripeEvent, secret: string, signature?: string): Promise<WebhookDelivery> {
  const payload = webhookPayload(event);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signature ?? signWebhookPayload(payload, secret),
      },
      body: payload,
    });
    return { eventId: event.id, type: event.type, status: response.status, body: await response.text() };
  } catch (error) {
    return { eventId: event.id, type: event.type, status: 0, body: '', error: error instanceof Error ? error.message : String(error) };
  }
}
