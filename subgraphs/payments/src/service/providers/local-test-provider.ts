/**
 * The embedded provider for `npm start` and tests that need no gateway: no
 * network, no state. Outcomes follow the documented test tokens, which are
 * Stripe's own test PaymentMethod ids, so a shopper's token means the same
 * thing with either provider:
 *
 * | token                                      | authorize                                   |
 * |--------------------------------------------|---------------------------------------------|
 * | pm_card_visa, pm_card_mastercard           | authorized                                  |
 * | pm_card_chargeDeclined                     | declined, card_declined                     |
 * | pm_card_chargeDeclinedInsufficientFunds    | declined, insufficient_funds                |
 * | anything else                              | declined, invalid_payment_method            |
 *
 * Ids are derived from the idempotency key, so a repeated call answers the
 * same id (the same guarantee Stripe's Idempotency-Key gives). Capture, void
 * and refund always succeed; the saga checks amounts and states before calling.
 */
import { createHash } from 'node:crypto';
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

interface TestToken {
  declineCode?: string;
  reason?: string;
}

export const LOCAL_TEST_TOKENS: Readonly<Record<string, TestToken>> = {
  pm_card_visa: {},
  pm_card_mastercard: {},
  pm_card_chargeDeclined: { declineCode: 'card_declined', reason: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { declineCode: 'insufficient_funds', reason: 'Your card has insufficient funds.' },
};

const idFrom = (prefix: string, key: string): string =>
  `${prefix}_local_${createHash('sha256').update(key).digest('base64url').slice(0, 24)}`;

export class LocalTestProvider implements PaymentProvider {
  readonly name = 'local';

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const token = Object.hasOwn(LOCAL_TEST_TOKENS, request.paymentMethodToken) ? LOCAL_TEST_TOKENS[request.paymentMethodToken] : undefined;
    const providerPaymentId = idFrom('pi', request.idempotencyKey);
    if (!token) {
      return { outcome: 'declined', providerPaymentId: null, reason: 'The payment method is invalid.', declineCode: 'invalid_payment_method' };
    }
    if (token.declineCode) {
      return { outcome: 'declined', providerPaymentId, reason: token.reason ?? 'Your card was declined.', declineCode: token.declineCode };
    }
    return { outcome: 'authorized', providerPaymentId, amountMinor: request.amountMinor };
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    return { outcome: 'captured', amountMinor: request.amountMinor };
  }

  async void(_request: VoidRequest): Promise<VoidResult> {
    return { outcome: 'voided' };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    return { outcome: 'refunded', providerRefundId: idFrom('re', request.idempotencyKey), amountMinor: request.amountMinor };
  }
}
