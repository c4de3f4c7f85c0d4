/**
 * The mock's HTTP face: Stripe's authentication (Bearer sk_test_…), request
 * encoding (form bodies), Idempotency-Key semantics, JSON answers and errors,
 * and signed webhook delivery. The API itself is in api.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripeId, StripeStore, type Charge, type PaymentIntent, type PendingEvent, type Refund } from './api.js';
import { StripeMockError, type StripeErrorBody } from './errors.js';
import { canonicalParams, decodeForm, type FormParams } from './form.js';
import { postWebhook, signWebhookPayload, webhookPayload, type StripeEvent, type WebhookDelivery } from './webhooks.js';

/** The API version stripe-node 23 pins; used when a request sends no Stripe-Version. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface StripeMockOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Where events are POSTed as they happen. Can be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** The endpoint's signing secret (`whsec_…`), shared with the receiver. */
  webhookSecret: string;
  /** Deliver events to webhookUrl as they happen (default true). Off: only `sendWebhook` posts. */
  autoDeliverWebhooks?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: FormParams;
  idempotencyKey: string | null;
  /** True when the answer was a replay of a stored idempotent response. */
  replayed: boolean;
  status: number;
  requestId: string;
}

export interface StripeMock {
  /** http://127.0.0.1:<port> */
  url: string;
  host: string;
  port: number;
  protocol: 'http';
  /** PaymentIntents as they are now, in creation order (copies). */
  readonly paymentIntents: PaymentIntent[];
  readonly charges: Charge[];
  readonly refunds: Refund[];
  /** Every API request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Every event generated, in order (delivered or not). */
  readonly events: readonly StripeEvent[];
  /** Every automatic webhook delivery attempt, in order. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  setWebhookUrl(url: string | undefined): void;
  /**
   * POSTs an event (new, replayed or made up) to the webhook URL, signed with
   * the secret unless `signature` is given, and returns the endpoint's answer.
   */
  sendWebhook(event: StripeEvent, options?: { signature?: string; url?: string }): Promise<WebhookDelivery>;
  /** The `Stripe-Signature` header this mock would send for `payload`. */
  sign(payload: string, timestamp?: number): string;
  /** Resolves once every automatic delivery queued so far has been attempted. */
  flushWebhooks(): Promise<void>;
  /** Forget all objects, requests, idempotency keys and events. */
  reset(): void;
  stop(): Promise<void>;
}

interface StoredResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
}

const JSON_TYPE = 'application/json';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

const errorBody = (error: StripeErrorBody): { error: StripeErrorBody } => ({ error });

/** A key shown the way Stripe shows it in errors: prefix and last four characters. */
const redactKey = (key: string): string => (key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(12)}${key.slice(-4)}` : '****');

/**
 * Starts the mock. Point stripe-node at it with
 * `new Stripe('sk_test_…', { host: mock.host, port: mock.port, protocol: 'http' })`.
 */
export async function startStripeMock(options: StripeMockOptions): Promise<StripeMock> {
  const store = new StripeStore();
  const requests: RecordedRequest[] = [];
  const events: StripeEvent[] = [];
  const deliveries: WebhookDelivery[] = [];
  let idempotent = new Map<string, StoredResponse>();
  let webhookUrl = options.webhookUrl;
  const autoDeliver = options.autoDeliverWebhooks ?? true;
  let deliveryQueue: Promise<void> = Promise.resolve();

  const emit = (pending: PendingEvent[], apiVersion: string, requestId: string, idempotencyKey: string | null): void => {
    for (const { type, object } of pending) {
      const event: StripeEvent = {
        id: stripeId('evt'),
        object: 'event',
        api_version: apiVersion,
        created: Math.floor(Date.now() / 1000),
        data: { object },
        livemode: false,
        pending_webhooks: webhookUrl ? 1 : 0,
        request: { id: requestId, idempotency_key: idempotencyKey },
        type,
      };
      events.push(event);
      const url = webhookUrl;
      if (autoDeliver && url) {
        // One at a time, in order; like Stripe, the API answer does not wait for delivery.
        deliveryQueue = deliveryQueue.then(async () => {
          deliveries.push(await postWebhook(url, event, options.webhookSecret));
        });
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://stripe-mock');
    const path = url.pathname;
    const requestId = stripeId('req');
    const apiVersion = header(req, 'stripe-version') ?? DEFAULT_API_VERSION;
    const idempotencyKey = method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
    const baseHeaders: Record<string, string> = { 'request-id': requestId, 'stripe-version': apiVersion };
    if (idempotencyKey) baseHeaders['idempotency-key'] = idempotencyKey;
    const raw = method === 'POST' ? await readBody(req) : url.search.slice(1);
    const record = (params: FormParams, status: number, replayed: boolean): void => {
      requests.push({ method, path, params, idempotencyKey, replayed, status, requestId });
    };

    const authorization = header(req, 'authorization') ?? '';
    const apiKey = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
    if (!apiKey.startsWith('sk_test_')) {
      const message = apiKey
        ? `Invalid API Key provided: ${redactKey(apiKey)}. This mock accepts test-mode secret keys (sk_test_…) only.`
        : 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').';
      record({}, 401, false);
      return send(res, 401, errorBody({ type: 'invalid_request_error', message }), baseHeaders);
    }
    const contentType = header(req, 'content-type');
    if (method === 'POST' && raw.length > 0 && contentType && !contentType.startsWith('application/x-www-form-urlencoded')) {
      record({}, 400, false);
      return send(
        res,
        400,
        errorBody({ type: 'invalid_request_error', message: 'Invalid request: Stripe expects application/x-www-form-urlencoded bodies.' }),
        baseHeaders,
      );
    }

    const params = decodeForm(raw);
    const fingerprint = canonicalParams(params);
    const scopedKey = idempotencyKey ? `${apiKey}\u0000${idempotencyKey}` : undefined;
    const stored = scopedKey ? idempotent.get(scopedKey) : undefined;
    if (stored) {
      if (stored.method !== method || stored.path !== path || stored.fingerprint !== fingerprint) {
        record(params, 400, false);
        const sameEndpoint = stored.method === method && stored.path === path;
        return send(
          res,
          400,
          errorBody({
            type: 'idempotency_error',
            message: sameEndpoint
              ? `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`
              : `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.method} ${stored.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
          baseHeaders,
        );
      }
      record(params, stored.status, true);
      return send(res, stored.status, stored.body, {
        ...baseHeaders,
        'idempotent-replayed': 'true',
        'original-request': stored.requestId,
      });
    }

    let status: number;
    let body: unknown;
    let saved = true;
    let pending: PendingEvent[] = [];
    try {
      const result = store.handle(method, path, params);
      ({ status, body } = result);
      pending = result.events;
    } catch (error) {
      if (!(error instanceof StripeMockError)) throw error;
      status = error.status;
      body = errorBody({ ...error.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` });
      saved = error.saved;
      pending = error.events;
    }
    if (scopedKey && saved) idempotent.set(scopedKey, { method, path, fingerprint, status, body, requestId });
    record(params, status, false);
    send(res, status, body, baseHeaders);
    emit(pending, apiVersion, requestId, idempotencyKey);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, errorBody({ type: 'api_error', message: `stripe-mock internal error: ${String(error)}` }), {});
      } else {
        res.destroy();
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    protocol: 'http',
    get paymentIntents() {
      return [...store.paymentIntents.values()].map((pi) => structuredClone(pi));
    },
    get charges() {
      return [...store.charges.values()].map((charge) => structuredClone(charge));
    },
    get refunds() {
      return [...store.refunds.values()].map((refund) => structuredClone(refund));
    },
    requests,
    events,
    webhookDeliveries: deliveries,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    sendWebhook(event, sendOptions = {}) {
      const url = sendOptions.url ?? webhookUrl;
      if (!url) return Promise.reject(new Error('stripe-mock: no webhook URL; pass webhookUrl or call setWebhookUrl'));
      return postWebhook(url, event, options.webhookSecret, sendOptions.signature);
    },
    sign: (payload, timestamp) => signWebhookPayload(payload, options.webhookSecret, timestamp),
    flushWebhooks: async () => {
      // Deliveries queued while waiting are awaited too.
      let current: Promise<void>;
      do {
        current = deliveryQueue;
        await current;
      } while (current !== deliveryQueue);
    },
    reset() {
      store.paymentIntents.clear();
      store.charges.clear();
      store.refunds.clear();
      requests.length = 0;
      events.length = 0;
      deliveries.length = 0;
      idempotent = new Map();
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

export { webhookPayload };
