/**
 * Stripe through the official `stripe` library: PaymentIntents with manual
 * capture. Authorize = create and confirm in one call (`capture_method:
 * 'manual'`); capture and void (cancel) act on that PaymentIntent; refunds
 * are Refunds on it. Every call sends the saga's idempotency key, so Stripe
 * replays its first answer to a repeated call.
 *
 * Configuration alone picks the endpoint: with a real STRIPE_SECRET_KEY and no
 * STRIPE_API_HOST this talks to api.stripe.com; tests set STRIPE_API_HOST/PORT/
 * PROTOCOL (or pass them) to point it at packages/stripe-mock.
 */
import Stripe from 'stripe';
import type {
  AuthorizeRequest,
  AuthorizeResult,
  CaptureRequest,
  CaptureResult,
  PaymentProvider,
  RefundRequest,
  RefundResult,
  VoidRequest,
  VoidResult,
} from './payment-provider.js';

export interface StripeProviderConfig {
  /** sk_test_… or sk_live_… */
  secretKey: string;
  /** Only to point at another server (the mock); unset means api.stripe.com. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** stripe-node's own retries of network errors and 409/5xx answers (same idempotency key). Default 2. */
  maxNetworkRetries?: number;
  /** Per request; default 15 s: three attempts stay inside the consumer's 60 s transaction. */
  timeoutMs?: number;
}

/** STRIPE_SECRET_KEY, STRIPE_API_HOST, STRIPE_API_PORT, STRIPE_API_PROTOCOL. */
export function stripeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StripeProviderConfig {
  const secretKey = env.STRIPE_SECRET_KEY;
  if (!secretKey) throw new Error('PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY');
  const host = env.STRIPE_API_HOST || undefined;
  const port = env.STRIPE_API_PORT ? Number.parseInt(env.STRIPE_API_PORT, 10) : undefined;
  const protocol = env.STRIPE_API_PROTOCOL || undefined;
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') throw new Error('STRIPE_API_PROTOCOL must be http or https');
  return { secretKey, ...(host ? { host } : {}), ...(port ? { port } : {}), ...(protocol ? { protocol } : {}) };
}

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;
const isStripeError = (error: unknown): error is StripeError => error instanceof Stripe.errors.StripeError;

/**
 * Our decline code: Stripe's `decline_code` when it says something specific
 * (insufficient_funds, fraudulent, …), else its error `code` (card_declined,
 * expired_card, …). `generic_decline` says no more than card_declined.
 */
export function declineCodeOf(error: { code?: string; decline_code?: string }): string | null {
  if (error.decline_code && error.decline_code !== 'generic_decline') return error.decline_code;
  return error.code ?? error.decline_code ?? null;
}

/** Permanent refusals about the request itself (4xx other than auth, rate limit, idempotency). */
const isRefusal = (error: StripeError): boolean =>
  error instanceof Stripe.errors.StripeCardError || error instanceof Stripe.errors.StripeInvalidRequestError;

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  /** The configured client; the webhook endpoint verifies signatures with `stripe.webhooks`. */
  readonly stripe: Stripe;

  constructor(config: StripeProviderConfig) {
    this.stripe = new Stripe(config.secretKey, {
      ...(config.host ? { host: config.host } : {}),
      ...(config.port ? { port: config.port } : {}),
      ...(config.protocol ? { protocol: config.protocol } : {}),
      maxNetworkRetries: config.maxNetworkRetries ?? 2,
      timeout: config.timeoutMs ?? 15_000,
      appInfo: { name: 'commerce-payments' },
    });
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountMinor,
          currency: request.currency.toLowerCase(),
          capture_method: 'manual',
          confirm: true,
          payment_method: request.paymentMethodToken,
          // Server-side confirmation: no redirect-based methods, so no return_url.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: `Order ${request.orderId}`,
          metadata: { order_id: request.orderId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status === 'requires_capture') {
        return { outcome: 'authorized', providerPaymentId: intent.id, amountMinor: intent.amount_capturable };
      }
      // requires_action (3-D Secure) cannot be completed without the shopper; the intent expires on its own.
      return {
        outcome: 'declined',
        providerPaymentId: intent.id,
        reason: `The payment could not be authorized (status ${intent.status}).`,
        declineCode: intent.status === 'requires_action' ? 'authentication_required' : intent.status,
      };
    } catch (error) {
      if (!isStripeError(error) || !isRefusal(error)) throw error;
      const intentId = (error.payment_intent as { id?: string } | undefined)?.id ?? null;
      if (error instanceof Stripe.errors.StripeCardError) {
        return { outcome: 'declined', providerPaymentId: intentId, reason: error.message, declineCode: declineCodeOf(error) };
      }
      // An unknown or unusable payment method: Stripe's message would quote the token, so it is not passed on.
      if (error.param === 'payment_method' || error.code === 'resource_missing') {
        return { outcome: 'declined', providerPaymentId: intentId, reason: 'The payment method is invalid.', declineCode: 'invalid_payment_method' };
      }
      return { outcome: 'declined', providerPaymentId: intentId, reason: error.message, declineCode: error.code ?? null };
    }
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    try {
      const intent = await this.stripe.paymentIntents.capture(
        request.providerPaymentId,
        { amount_to_capture: request.amountMinor },
        { idempotencyKey: request.idempotencyKey },
      );
      return { outcome: 'captured', amountMinor: intent.amount_received };
    } catch (error) {
      if (!isStripeError(error) || !isRefusal(error)) throw error;
      // Captured already (e.g. from the Dashboard, or a call whose key has expired): that is the goal.
      const intent = await this.stripe.paymentIntents.retrieve(request.providerPaymentId);
      if (intent.status === 'succeeded') return { outcome: 'captured', amountMinor: intent.amount_received };
      return { outcome: 'failed', reason: error.message };
    }
  }

  async void(request: VoidRequest): Promise<VoidResult> {
    try {
      await this.stripe.paymentIntents.cancel(
        request.providerPaymentId,
        { cancellation_reason: 'abandoned' },
        { idempotencyKey: request.idempotencyKey },
      );
      return { outcome: 'voided' };
    } catch (error) {
      if (!isStripeError(error) || !isRefusal(error)) throw error;
      const intent = await this.stripe.paymentIntents.retrieve(request.providerPaymentId);
      if (intent.status === 'canceled') return { outcome: 'voided' };
      return { outcome: 'failed', reason: error.message };
    }
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: request.providerPaymentId,
          amount: request.amountMinor,
          metadata: { order_id: request.orderId, refund_request_id: request.refundRequestId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (refund.status === 'failed' || refund.status === 'canceled') {
        return { outcome: 'failed', reason: `The refund ${refund.status}.`, declineCode: refund.failure_reason ?? null };
      }
      // succeeded, or pending (accepted; card refunds settle later).
      return { outcome: 'refunded', providerRefundId: refund.id, amountMinor: refund.amount };
    } catch (error) {
      if (!isStripeError(error) || !isRefusal(error)) throw error;
      return { outcome: 'failed', reason: error.message, declineCode: error.code ?? null };
    }
  }
}
