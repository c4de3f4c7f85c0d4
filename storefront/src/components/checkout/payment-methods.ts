/**
 * How a shopper can pay: a small registry. Each entry says how its form is
 * rendered (the checkout form picks the component by `kind`) and is turned
 * into the payment provider's token on the server (app/actions/checkout.ts).
 *
 * - `local-card`: the local test provider (the `npm start` default). A card
 *   form whose number is mapped, on the storefront server, to one of the
 *   provider's test tokens (`pm_card_*`); the number never goes further.
 * - `stripe-elements`: Stripe Elements, selected when STRIPE_PUBLISHABLE_KEY
 *   is set. Stripe's script collects the card in Stripe's iframe and gives a
 *   PaymentMethod id (`pm_…`), which is the token; card data never reaches us.
 */
export type PaymentMethodKind = 'local-card' | 'stripe-elements';

export interface PaymentMethod {
  id: string;
  kind: PaymentMethodKind;
  label: string;
  /** Only for stripe-elements: the publishable key (public by design). */
  publishableKey?: string;
}

export interface PaymentConfig {
  stripePublishableKey?: string | undefined;
}

const REGISTRY: ((config: PaymentConfig) => PaymentMethod | null)[] = [
  (config) =>
    config.stripePublishableKey
      ? { id: 'stripe', kind: 'stripe-elements', label: 'Card', publishableKey: config.stripePublishableKey }
      : null,
  () => ({ id: 'card', kind: 'local-card', label: 'Credit or debit card' }),
];

/** The methods on offer, the preferred first: Stripe Elements when configured, else the local card form. */
export function paymentMethods(config: PaymentConfig): PaymentMethod[] {
  const methods = REGISTRY.map((entry) => entry(config)).filter((method): method is PaymentMethod => method !== null);
  // With Stripe configured the local provider is not the one charging: offer Stripe only.
  return methods.some((method) => method.kind === 'stripe-elements')
    ? methods.filter((method) => method.kind === 'stripe-elements')
    : methods;
}

/** The local provider's test cards (public test numbers), shown in a hint box outside production. */
export const TEST_CARDS = [
  { number: '4242 4242 4242 4242', token: 'pm_card_visa', outcome: 'Visa: payment succeeds' },
  { number: '5555 5555 5555 4444', token: 'pm_card_mastercard', outcome: 'Mastercard: payment succeeds' },
  { number: '4000 0000 0000 0002', token: 'pm_card_chargeDeclined', outcome: 'Declined' },
  {
    number: '4000 0000 0000 9995',
    token: 'pm_card_chargeDeclinedInsufficientFunds',
    outcome: 'Declined: insufficient funds',
  },
] as const;
