/**
 * @commerce/stripe-mock — a local HTTP server that honours the part of
 * Stripe's REST API the payments subgraph uses. See README.md for exactly
 * which endpoints and behaviours it covers.
 */
export {
  startStripeMock,
  DEFAULT_API_VERSION,
  type StripeMock,
  type StripeMockOptions,
  type RecordedRequest,
} from './server.js';
export type { PaymentIntent, PaymentIntentStatus, Charge, Refund } from './api.js';
export { signWebhookPayload, webhookPayload, type StripeEvent, type WebhookDelivery } from './webhooks.js';
export { TEST_PAYMENT_METHODS, type TestPaymentMethod, type TestDecline } from './payment-methods.js';
export { decodeForm } from './form.js';
