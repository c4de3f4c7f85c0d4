/** What the checkout form sends and what the placeOrder action answers (shared by the form and the action). */
export const ADDRESS_FIELDS = ['fullName', 'line1', 'line2', 'city', 'region', 'postalCode', 'countryCode', 'phone'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type CheckoutField = AddressField | 'email' | 'addressId' | 'cardNumber' | 'cardExpiry' | 'cardCvc' | 'cardName' | 'payment';

/** Values echoed back so a form without JavaScript keeps what was typed; never card number, expiry or CVC. */
export type EchoedField = AddressField | 'email' | 'addressId' | 'cardName';

export interface CheckoutState {
  status: 'idle' | 'error';
  message?: string;
  fieldErrors?: Partial<Record<CheckoutField, string>>;
  values?: Partial<Record<EchoedField, string>>;
  /** The graph wants a signed-in shopper: show a sign-in link. */
  signIn?: boolean;
  /** Link to the cart (empty or expired cart). */
  toCart?: boolean;
  /** A fresh idempotency key, when the previous one may not be used again. */
  idempotencyKey?: string;
  at?: number;
}
