/**
 * The emulated part of Stripe's API: PaymentIntents (create, retrieve,
 * confirm, capture, cancel) and Refunds (create, retrieve), with Stripe's
 * status machine and error answers. Pure state over plain objects; HTTP,
 * authentication, idempotency and webhook delivery live in server.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  parameterInvalid,
  parameterMissing,
  parameterUnknown,
  resourceMissing,
  StripeMockError,
  unexpectedState,
} from './errors.js';
import type { FormParams, FormValue } from './form.js';
import { paymentMethodObject, TEST_PAYMENT_METHODS, type TestPaymentMethod } from './payment-methods.js';

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method: 'automatic';
  currency: string;
  status: PaymentIntentStatus;
  payment_method: string | null;
  payment_method_types: string[];
  automatic_payment_methods: { enabled: boolean; allow_redirects: 'always' | 'never' } | null;
  client_secret: string;
  created: number;
  livemode: false;
  metadata: Record<string, string>;
  description: string | null;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  cancellation_reason: string | null;
  canceled_at: number | null;
  next_action: null;
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  currency: string;
  payment_intent: string;
  payment_method: string;
  status: 'succeeded' | 'failed';
  paid: boolean;
  failure_code: string | null;
  failure_message: string | null;
  created: number;
  livemode: false;
  metadata: Record<string, string>;
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  status: 'succeeded';
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
  balance_transaction: null;
}

/** An event to deliver as a webhook: its type and a snapshot of the object. */
export interface PendingEvent {
  type: string;
  object: PaymentIntent | Charge | Refund;
}

export interface ApiResult {
  status: number;
  body: unknown;
  events: PendingEvent[];
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Stripe-looking ids: a prefix and 24 random alphanumerics. */
export function stripeId(prefix: string): string {
  const bytes = randomBytes(24);
  let id = `${prefix}_`;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

const now = (): number => Math.floor(Date.now() / 1000);
const clone = <T>(value: T): T => structuredClone(value);

/** Smallest chargeable amount in minor units (Stripe: 0.50 in USD and EUR). */
const MINIMUM_AMOUNT = 50;

// ── parameter readers ─────────────────────────────────────────────────────

function allowOnly(params: FormParams, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) if (!allowed.includes(key)) throw parameterUnknown(key);
}

function stringParam(params: FormParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw parameterInvalid(name, `Invalid string: ${name} must be a string`);
  return value;
}

function requiredString(params: FormParams, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined || value === '') throw parameterMissing(name);
  return value;
}

function integerParam(params: FormParams, name: string): number | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw parameterInvalid(name, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw parameterInvalid(name, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  return parsed;
}

function booleanParam(params: FormParams, name: string): boolean | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw parameterInvalid(name, `Invalid boolean: ${value}`);
  return value === 'true';
}

function enumParam<T extends string>(params: FormParams, name: string, values: readonly T[]): T | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw parameterInvalid(name, `Invalid ${name}: must be one of ${values.join(', ')}`, 'parameter_invalid_empty');
  }
  return value as T;
}

function metadataParam(params: FormParams): Record<string, string> {
  const value = params.metadata;
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw parameterInvalid('metadata', 'Invalid object');
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw parameterInvalid(`metadata[${key}]`, 'Metadata values must be strings');
    if (key.length > 40) throw parameterInvalid(`metadata[${key}]`, 'Metadata keys can be at most 40 characters');
    if (entry.length > 500) throw parameterInvalid(`metadata[${key}]`, 'Metadata values can be at most 500 characters');
    metadata[key] = entry;
  }
  return metadata;
}

function stringListParam(params: FormParams, name: string): string[] | undefined {
  const value: FormValue | undefined = params[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((entry): entry is string => typeof entry === 'string')) {
    throw parameterInvalid(name, `Invalid array: ${name}`, 'parameter_invalid_array');
  }
  return value;
}

function automaticPaymentMethodsParam(params: FormParams): { enabled: boolean; allow_redirects: 'always' | 'never' } | undefined {
  const value = params.automatic_payment_methods;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw parameterInvalid('automatic_payment_methods', 'Invalid object');
  allowOnly(value, ['enabled', 'allow_redirects']);
  const enabled = booleanParam(value, 'enabled');
  if (enabled === undefined) throw parameterMissing('automatic_payment_methods[enabled]');
  const allowRedirects = enumParam(value, 'allow_redirects', ['always', 'never'] as const) ?? 'always';
  return { enabled, allow_redirects: allowRedirects };
}

function amountParam(params: FormParams, name: string, required: boolean): number | undefined {
  const amount = integerParam(params, name);
  if (amount === undefined) {
    if (required) throw parameterMissing(name);
    return undefined;
  }
  if (amount < 1) throw parameterInvalid(name, 'This value must be greater than or equal to 1.', 'parameter_invalid_integer');
  return amount;
}

// ── the store ─────────────────────────────────────────────────────────────

export class StripeStore {
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();

  /** Routes one request. Throws StripeMockError for Stripe-shaped error answers. */
  handle(method: string, path: string, params: FormParams): ApiResult {
    const segments = path.split('/').filter(Boolean);
    if (segments[0] === 'v1' && segments[1] === 'payment_intents') {
      if (method === 'POST' && segments.length === 2) return this.createPaymentIntent(params);
      const id = segments[2];
      if (id && segments.length === 3 && method === 'GET') return this.ok(this.paymentIntent(id));
      if (id && segments.length === 4 && method === 'POST') {
        if (segments[3] === 'confirm') return this.confirmPaymentIntent(this.paymentIntent(id), params);
        if (segments[3] === 'capture') return this.capturePaymentIntent(this.paymentIntent(id), params);
        if (segments[3] === 'cancel') return this.cancelPaymentIntent(this.paymentIntent(id), params);
      }
    }
    if (segments[0] === 'v1' && segments[1] === 'refunds') {
      if (method === 'POST' && segments.length === 2) return this.createRefund(params);
      const id = segments[2];
      if (id && segments.length === 3 && method === 'GET') {
        const refund = this.refunds.get(id);
        if (!refund) throw resourceMissing('refund', id, 'refund');
        return this.ok(refund);
      }
    }
    if (segments[0] === 'v1' && segments[1] === 'charges' && segments[2] && segments.length === 3 && method === 'GET') {
      const charge = this.charges.get(segments[2]);
      if (!charge) throw resourceMissing('charge', segments[2], 'id');
      return this.ok(charge);
    }
    throw new StripeMockError(
      404,
      {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). This mock serves only the endpoints listed in packages/stripe-mock/README.md.`,
      },
      false,
    );
  }

  private ok(object: unknown, events: PendingEvent[] = []): ApiResult {
    return { status: 200, body: clone(object), events };
  }

  private paymentIntent(id: string): PaymentIntent {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw resourceMissing('payment_intent', id, 'intent');
    return intent;
  }

  private paymentMethod(id: string): TestPaymentMethod {
    const pm = TEST_PAYMENT_METHODS.get(id);
    if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method', 400);
    return pm;
  }

  private createPaymentIntent(params: FormParams): ApiResult {
    allowOnly(params, [
      'amount',
      'currency',
      'capture_method',
      'confirm',
      'payment_method',
      'payment_method_types',
      'allowed_payment_method_types',
      'automatic_payment_methods',
      'metadata',
      'description',
      'return_url',
      'off_session',
    ]);
    const amount = amountParam(params, 'amount', true)!;
    const currency = requiredString(params, 'currency');
    if (!/^[a-zA-Z]{3}$/.test(currency)) throw parameterInvalid('currency', `Invalid currency: ${currency}`);
    if (amount < MINIMUM_AMOUNT) {
      throw new StripeMockError(
        400,
        {
          type: 'invalid_request_error',
          code: 'amount_too_small',
          param: 'amount',
          message: `Amount must be at least ${MINIMUM_AMOUNT} ${currency.toLowerCase()} minor units`,
        },
        false,
      );
    }
    const captureMethod = enumParam(params, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async';
    const confirm = booleanParam(params, 'confirm') ?? false;
    booleanParam(params, 'off_session');
    const paymentMethodId = stringParam(params, 'payment_method');
    if (paymentMethodId !== undefined) this.paymentMethod(paymentMethodId);
    const allowedTypes = stringListParam(params, 'allowed_payment_method_types') ?? stringListParam(params, 'payment_method_types');
    const automatic = automaticPaymentMethodsParam(params);
    const returnUrl = stringParam(params, 'return_url');
    // Without explicit types, Stripe enables automatic payment methods, which may redirect:
    // a server-side confirm then needs a return_url unless redirects are turned off.
    const automaticMethods = allowedTypes ? null : (automatic ?? { enabled: true, allow_redirects: 'always' as const });
    if (confirm && automaticMethods?.enabled && automaticMethods.allow_redirects !== 'never' && !returnUrl) {
      throw parameterInvalid(
        'return_url',
        'This PaymentIntent is configured to accept payment methods enabled in your Dashboard, because automatic_payment_methods is enabled. Some of these payment methods may redirect your customer off of your page. You must provide a `return_url` when confirming, or set `automatic_payment_methods[allow_redirects]` to `never`.',
        'parameter_missing',
      );
    }
    const created = now();
    const id = stripeId('pi');
    const intent: PaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      capture_method: captureMethod,
      confirmation_method: 'automatic',
      currency: currency.toLowerCase(),
      status: paymentMethodId ? 'requires_confirmation' : 'requires_payment_method',
      payment_method: paymentMethodId ?? null,
      payment_method_types: allowedTypes ?? ['card'],
      automatic_payment_methods: automaticMethods,
      client_secret: `${id}_secret_${stripeId('s').slice(2)}`,
      created,
      livemode: false,
      metadata: metadataParam(params),
      description: stringParam(params, 'description') ?? null,
      latest_charge: null,
      last_payment_error: null,
      cancellation_reason: null,
      canceled_at: null,
      next_action: null,
    };
    if (confirm && !paymentMethodId) {
      throw parameterInvalid('payment_method', 'You cannot confirm this PaymentIntent because it is missing a payment method.', 'payment_intent_unexpected_state');
    }
    this.paymentIntents.set(id, intent);
    const events: PendingEvent[] = [{ type: 'payment_intent.created', object: clone(intent) }];
    if (!confirm) return this.ok(intent, events);
    return this.confirm(intent, events);
  }

  private confirmPaymentIntent(intent: PaymentIntent, params: FormParams): ApiResult {
    allowOnly(params, ['payment_method', 'return_url', 'off_session']);
    booleanParam(params, 'off_session');
    const paymentMethodId = stringParam(params, 'payment_method');
    if (paymentMethodId !== undefined) this.paymentMethod(paymentMethodId);
    if (intent.status !== 'requires_payment_method' && intent.status !== 'requires_confirmation') {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
      );
    }
    if (paymentMethodId !== undefined) intent.payment_method = paymentMethodId;
    if (!intent.payment_method) {
      throw unexpectedState('You cannot confirm this PaymentIntent because it is missing a payment method.', 'payment_intent_unexpected_state', 'payment_method');
    }
    return this.confirm(intent, []);
  }

  /** Charges the payment method: a hold (manual capture) or a payment, or a decline (402). */
  private confirm(intent: PaymentIntent, events: PendingEvent[]): ApiResult {
    const pm = this.paymentMethod(intent.payment_method!);
    const charge: Charge = {
      id: stripeId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      refunded: false,
      currency: intent.currency,
      payment_intent: intent.id,
      payment_method: pm.id,
      status: 'succeeded',
      paid: true,
      failure_code: null,
      failure_message: null,
      created: now(),
      livemode: false,
      metadata: { ...intent.metadata },
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;

    if (pm.decline) {
      charge.status = 'failed';
      charge.paid = false;
      charge.failure_code = pm.decline.code;
      charge.failure_message = pm.decline.message;
      const error = {
        type: 'card_error' as const,
        code: pm.decline.code,
        decline_code: pm.decline.declineCode,
        message: pm.decline.message,
        charge: charge.id,
        doc_url: `https://stripe.com/docs/error-codes/${pm.decline.code.replace(/_/g, '-')}`,
      };
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { ...error, payment_method: paymentMethodObject(pm, intent.created) };
      intent.payment_method = null;
      events.push({ type: 'payment_intent.payment_failed', object: clone(intent) });
      const declined = new StripeMockError(
        402,
        { ...error, payment_intent: clone(intent), payment_method: paymentMethodObject(pm, intent.created) },
        true,
      );
      declined.events = events;
      throw declined;
    }

    intent.last_payment_error = null;
    if (intent.capture_method === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      events.push({ type: 'payment_intent.amount_capturable_updated', object: clone(intent) });
    } else {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      charge.captured = true;
      charge.amount_captured = intent.amount;
      events.push({ type: 'payment_intent.succeeded', object: clone(intent) });
    }
    return this.ok(intent, events);
  }

  private capturePaymentIntent(intent: PaymentIntent, params: FormParams): ApiResult {
    allowOnly(params, ['amount_to_capture', 'metadata']);
    const amountToCapture = amountParam(params, 'amount_to_capture', false);
    const metadata = metadataParam(params);
    if (intent.status !== 'requires_capture') {
      throw unexpectedState(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      );
    }
    const amount = amountToCapture ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw unexpectedState(
        `The amount_to_capture (${amount}) is greater than the amount_capturable (${intent.amount_capturable}).`,
        'amount_too_large',
        'amount_to_capture',
      );
    }
    const charge = this.charges.get(intent.latest_charge!)!;
    charge.captured = true;
    charge.amount_captured = amount;
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    intent.metadata = { ...intent.metadata, ...metadata };
    return this.ok(intent, [{ type: 'payment_intent.succeeded', object: clone(intent) }]);
  }

  private cancelPaymentIntent(intent: PaymentIntent, params: FormParams): ApiResult {
    allowOnly(params, ['cancellation_reason']);
    const reason = enumParam(params, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const);
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      );
    }
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    intent.canceled_at = now();
    intent.cancellation_reason = reason ?? null;
    return this.ok(intent, [{ type: 'payment_intent.canceled', object: clone(intent) }]);
  }

  private createRefund(params: FormParams): ApiResult {
    allowOnly(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata']);
    const intentId = stringParam(params, 'payment_intent');
    const chargeId = stringParam(params, 'charge');
    if (!intentId && !chargeId) throw parameterMissing('payment_intent');
    const amount = amountParam(params, 'amount', false);
    const reason = enumParam(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const);
    const metadata = metadataParam(params);

    let charge: Charge | undefined;
    if (intentId) {
      const intent = this.paymentIntents.get(intentId);
      if (!intent) throw resourceMissing('payment_intent', intentId, 'payment_intent', 400);
      if (intent.status !== 'succeeded') {
        throw unexpectedState(
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
          'payment_intent',
        );
      }
      charge = this.charges.get(intent.latest_charge!);
    } else {
      charge = this.charges.get(chargeId!);
      if (!charge) throw resourceMissing('charge', chargeId!, 'charge', 400);
    }
    if (!charge?.captured) {
      throw unexpectedState('This charge has not been captured and cannot be refunded.', 'charge_not_refundable', 'charge');
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw unexpectedState(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
    const refundAmount = amount ?? remaining;
    if (refundAmount > remaining) {
      throw unexpectedState(
        `Refund amount (${refundAmount}) is greater than unrefunded amount on charge (${remaining})`,
        'amount_too_large',
        'amount',
      );
    }
    const refund: Refund = {
      id: stripeId('re'),
      object: 'refund',
      amount: refundAmount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
      reason: reason ?? null,
      metadata,
      created: now(),
      balance_transaction: null,
    };
    this.refunds.set(refund.id, refund);
    charge.amount_refunded += refundAmount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    return this.ok(refund, [{ type: 'charge.refunded', object: clone(charge) }]);
  }
}
