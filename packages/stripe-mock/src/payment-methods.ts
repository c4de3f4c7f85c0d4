/**
 * Stripe's test PaymentMethods (https://docs.stripe.com/testing#cards), by the
 * ids Stripe itself accepts in test mode. Only brand and last four digits are
 * kept, like Stripe's own PaymentMethod object: never a card number.
 */

export interface TestDecline {
  /** Stripe's error `code` (card_declined, expired_card, incorrect_cvc). */
  code: string;
  /** Stripe's `decline_code` (generic_decline, insufficient_funds, …). */
  declineCode: string;
  message: string;
}

export interface TestPaymentMethod {
  id: string;
  brand: string;
  last4: string;
  /** Set when a charge on this method is declined. */
  decline?: TestDecline;
}

const method = (id: string, brand: string, last4: string, decline?: TestDecline): TestPaymentMethod => ({
  id,
  brand,
  last4,
  ...(decline ? { decline } : {}),
});

export const TEST_PAYMENT_METHODS: ReadonlyMap<string, TestPaymentMethod> = new Map(
  [
    method('pm_card_visa', 'visa', '4242'),
    method('pm_card_visa_debit', 'visa', '5556'),
    method('pm_card_mastercard', 'mastercard', '4444'),
    method('pm_card_amex', 'amex', '8431'),
    method('pm_card_chargeDeclined', 'visa', '0002', {
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: 'Your card was declined.',
    }),
    method('pm_card_chargeDeclinedInsufficientFunds', 'visa', '9995', {
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    }),
    method('pm_card_chargeDeclinedFraudulent', 'visa', '0019', {
      code: 'card_declined',
      declineCode: 'fraudulent',
      message: 'Your card was declined.',
    }),
    method('pm_card_chargeDeclinedExpiredCard', 'visa', '0069', {
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
    }),
    method('pm_card_chargeDeclinedIncorrectCvc', 'visa', '0127', {
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
    }),
  ].map((pm) => [pm.id, pm]),
);

/** Stripe's PaymentMethod object, reduced to what a card carries in test mode. */
export function paymentMethodObject(pm: TestPaymentMethod, created: number): Record<string, unknown> {
  return {
    id: pm.id,
    object: 'payment_method',
    type: 'card',
    card: { brand: pm.brand, last4: pm.last4, exp_month: 12, exp_year: 2034, funding: 'credit', country: 'US' },
    created,
    customer: null,
    livemode: false,
    metadata: {},
  };
}
