/**
 * Stripe's error envelope: `{ "error": { type, code?, decline_code?, message, param?, … } }`
 * with the HTTP status stripe-node maps to its error classes (400/404 →
 * StripeInvalidRequestError or StripeIdempotencyError, 401 →
 * StripeAuthenticationError, 402 → StripeCardError).
 */

import type { PendingEvent } from './api.js';

export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

export class StripeMockError extends Error {
  /** Webhook events the failed request still caused (a decline creates and fails a PaymentIntent). */
  events: PendingEvent[] = [];

  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /**
     * Whether an idempotent replay should return this answer. Stripe saves the
     * result once an endpoint has started executing; requests that fail
     * validation (bad or unknown parameters, missing objects) are not saved.
     */
    readonly saved: boolean,
  ) {
    super(body.message);
  }
}

const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

export const parameterMissing = (param: string): StripeMockError =>
  new StripeMockError(
    400,
    { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.`, doc_url: docUrl('parameter_missing') },
    false,
  );

export const parameterUnknown = (param: string): StripeMockError =>
  new StripeMockError(
    400,
    {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param,
      message: `Received unknown parameter: ${param}`,
      doc_url: docUrl('parameter_unknown'),
    },
    false,
  );

export const parameterInvalid = (param: string, message: string, code = 'parameter_invalid_string'): StripeMockError =>
  new StripeMockError(400, { type: 'invalid_request_error', code, param, message, doc_url: docUrl(code) }, false);

/** 404 for the object in the URL; 400 for an object a parameter refers to (e.g. payment_method). */
export const resourceMissing = (kind: string, id: string, param: string, status = 404): StripeMockError =>
  new StripeMockError(
    status,
    { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'`, doc_url: docUrl('resource_missing') },
    false,
  );

/** A request that is valid but not in the object's current state (saved for replays). */
export const unexpectedState = (message: string, code = 'payment_intent_unexpected_state', param?: string): StripeMockError =>
  new StripeMockError(400, { type: 'invalid_request_error', code, message, doc_url: docUrl(code), ...(param ? { param } : {}) }, true);
