import type { Logger } from '@commerce/observability';

/**
 * Fields that may hold a payment-method token, censored in every line this
 * subgraph logs, on top of the shared logger's redactions. The code never logs
 * a token on purpose (see maskToken); this catches accidents.
 */
export const PAYMENT_REDACT_PATHS = [
  'paymentMethodToken',
  '*.paymentMethodToken',
  'payment_method',
  '*.payment_method',
  'data.payload.paymentMethodToken',
  'payload.paymentMethodToken',
];

export function paymentsLogger(base: Logger): Logger {
  return base.child({}, { redact: { paths: PAYMENT_REDACT_PATHS, censor: '[redacted]' } });
}
