/**
 * POST /webhooks/stripe (a subgraph-kit route). Stripe signs every delivery;
 * the library's own `stripe.webhooks.constructEvent(rawBody, header, secret)`
 * checks the HMAC over the exact bytes received and the timestamp (5 minutes
 * tolerance). A bad or missing signature is 400 with a short message (no
 * stack, nothing echoed); a verified event is applied once by the
 * reconciliation service and acknowledged with 200, including replays. An
 * error while applying is a 500, so Stripe retries later.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import type { Logger } from '@commerce/observability';
import type { RouteHandler } from '@commerce/subgraph-kit';
import type { PaymentsPrisma } from '../data/prisma.js';
import type { PaymentProvider } from '../service/providers/payment-provider.js';
import { applyStripeEvent, type StripeWebhookEvent } from '../service/reconciliation.service.js';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

export interface StripeWebhookOptions {
  prisma: PaymentsPrisma;
  provider: PaymentProvider;
  logger: Logger;
  /** The endpoint's signing secret (whsec_…): STRIPE_WEBHOOK_SECRET. */
  webhookSecret: string;
  /** The client whose `webhooks.constructEvent` verifies; verification needs no API key or network. */
  stripe: Stripe;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

const isEventShape = (value: unknown): value is StripeWebhookEvent => {
  const event = value as Partial<StripeWebhookEvent> | null;
  return (
    typeof event?.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.created === 'number' &&
    typeof event.data?.object?.id === 'string' &&
    typeof event.data.object.object === 'string'
  );
};

export function stripeWebhookRoute(options: StripeWebhookOptions): RouteHandler {
  const { logger } = options;
  return async (req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> => {
    const signature = req.headers['stripe-signature'];
    let event: unknown;
    try {
      if (typeof signature !== 'string' || signature === '') throw new Error('missing Stripe-Signature header');
      event = options.stripe.webhooks.constructEvent(rawBody, signature, options.webhookSecret);
    } catch (error) {
      logger.warn({ reason: error instanceof Error ? error.message.split('\n', 1)[0] : 'unknown' }, 'stripe webhook rejected: bad signature');
      return reply(res, 400, { error: { message: 'Invalid Stripe signature.' } });
    }
    if (!isEventShape(event)) return reply(res, 400, { error: { message: 'Not a Stripe event.' } });
    const outcome = await applyStripeEvent({ prisma: options.prisma, provider: options.provider, logger }, event);
    reply(res, 200, { received: true, outcome });
  };
}
