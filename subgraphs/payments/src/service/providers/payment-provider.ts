/**
 * The seam between the payment saga and a payment gateway. The saga decides
 * *when* to authorize, capture, void and refund; a provider only talks to its
 * gateway. Stripe and the embedded local provider implement it today; a second
 * gateway (e.g. PayPal: an order authorized, then captured or voided) fits the
 * same four calls.
 *
 * Contract:
 * - Every call carries an idempotency key derived from our ids
 *   (service/idempotency-keys.ts). A provider passes it to its gateway, so a
 *   repeated call (a redelivered event, a retry after a crash between the
 *   gateway's answer and our commit) gets the first call's answer and never
 *   charges twice.
 * - A definitive answer from the gateway is a *result*, even when it is a
 *   refusal (a decline, a refund over the captured amount).
 * - Only transient failures throw (network, timeouts, gateway 5xx, rate
 *   limits): the consumer retries the whole handler with the same keys.
 * - No card data crosses this interface: a payment-method token in, the
 *   gateway's ids out.
 */

export interface AuthorizeRequest {
  orderId: string;
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** The gateway's payment-method token (e.g. pm_card_visa); never card data. */
  paymentMethodToken: string;
  idempotencyKey: string;
}

export type AuthorizeResult =
  | { outcome: 'authorized'; providerPaymentId: string; amountMinor: number }
  | {
      outcome: 'declined';
      /** The gateway's payment id when it created one (Stripe keeps a declined PaymentIntent). */
      providerPaymentId: string | null;
      /** Safe to show: the gateway's generic message, never raw card or token details. */
      reason: string;
      /** e.g. card_declined, insufficient_funds, expired_card, invalid_payment_method. */
      declineCode: string | null;
    };

export interface CaptureRequest {
  orderId: string;
  providerPaymentId: string;
  amountMinor: number;
  idempotencyKey: string;
}

export type CaptureResult = { outcome: 'captured'; amountMinor: number } | { outcome: 'failed'; reason: string };

export interface VoidRequest {
  orderId: string;
  providerPaymentId: string;
  idempotencyKey: string;
}

export type VoidResult = { outcome: 'voided' } | { outcome: 'failed'; reason: string };

export interface RefundRequest {
  orderId: string;
  refundRequestId: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

export type RefundResult =
  | { outcome: 'refunded'; providerRefundId: string; amountMinor: number }
  | { outcome: 'failed'; reason: string; declineCode: string | null };

export interface PaymentProvider {
  /** Stored on each payment and sent in events: 'stripe', 'local', … */
  readonly name: string;
  /** Holds the amount on the payment method (manual capture). */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Takes the held amount. */
  capture(request: CaptureRequest): Promise<CaptureResult>;
  /** Releases an authorization that was not captured. */
  void(request: VoidRequest): Promise<VoidResult>;
  /** Gives back part or all of a captured amount. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** A token shown in logs without giving it away: `pm_…visa`. */
export function maskToken(token: string): string {
  return token.length > 10 ? `${token.slice(0, 3)}…${token.slice(-4)}` : '…';
}
