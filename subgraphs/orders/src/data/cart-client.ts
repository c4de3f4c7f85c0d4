/**
 * How placeOrder reads the shopper's cart: from the cart subgraph over HTTP
 * (its `cart(id, cartToken)` query), forwarding the caller's Authorization
 * header (and, for a guest's anonymous cart, its cartToken) so the cart
 * subgraph applies its own access rules. Orders never reads cart's
 * database.
 *
 * `CartReader` is the seam: the subgraph uses `HttpCartReader`; tests that
 * are not about the HTTP hop can pass an in-process reader.
 *
 * Errors: a missing (or someone else's) cart is NOT_FOUND, a cart with no
 * lines is CART_EMPTY, an expired session is UNAUTHENTICATED, and anything
 * else (connection refused, timeout, a non-GraphQL answer, an unexpected
 * shape, an internal error of the cart subgraph) is SERVICE_UNAVAILABLE with
 * no detail for the client; the cause goes to the log.
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { AppError, ErrorCode, notFound } from '@commerce/errors';
import type { TraceCarrier } from '@commerce/events';
import type { Logger } from '@commerce/observability';

export const CART_FOR_CHECKOUT_QUERY = `query CartForCheckout($id: ID!, $cartToken: String) { cart(id: $id, cartToken: $cartToken) { id currency discountCode
    lines { id quantity sku productId title variant { id } unitPrice { amountMinor currency } lineTotal { amountMinor currency } }
    totals { subtotal { amountMinor } discount { amountMinor } estimatedTax { amountMinor } estimatedShipping { amountMinor } total { amountMinor currency } } } }`;

export interface CheckoutCartLine {
  /** The cart line's id (not kept: order lines get their own ids). */
  id: string;
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

/** The part of a cart an order snapshots, amounts in integer minor units of `currency`. */
export interface CheckoutCart {
  id: string;
  currency: string;
  discountCode: string | null;
  lines: CheckoutCartLine[];
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  totalMinor: number;
}

export interface CartReadRequest {
  cartId: string;
  /** The caller's `Authorization` header, forwarded as is. */
  authorization?: string | undefined;
  /** An anonymous cart's token (guest checkout): the cart subgraph shows the cart to whoever holds it. */
  cartToken?: string | undefined;
  requestId?: string;
  traceContext?: TraceCarrier;
}

export interface CartReader {
  /** The cart as its owner sees it; throws the AppErrors described at the top of this file. */
  readCart(request: CartReadRequest): Promise<CheckoutCart>;
  /** Releases sockets (on shutdown). */
  close?(): void;
}

export const serviceUnavailable = (cause?: unknown): AppError =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The cart service is unavailable. Please try again.', { cause });

export const cartEmpty = (): AppError => new AppError(ErrorCode.CART_EMPTY, 'The cart has no items.');

const amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const money = z.object({ amountMinor: amount, currency: z.string() });

const cartSchema = z.object({
  id: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  discountCode: z.string().nullish(),
  lines: z.array(
    z.object({
      id: z.string().min(1),
      quantity: z.number().int().positive(),
      sku: z.string().min(1),
      productId: z.string().min(1),
      title: z.string(),
      variant: z.object({ id: z.string().min(1) }),
      unitPrice: money,
      lineTotal: money,
    }),
  ),
  totals: z.object({
    subtotal: z.object({ amountMinor: amount }),
    discount: z.object({ amountMinor: amount }),
    estimatedTax: z.object({ amountMinor: amount }),
    estimatedShipping: z.object({ amountMinor: amount }),
    total: money,
  }),
});

const responseSchema = z.object({
  data: z.object({ cart: cartSchema.nullable() }).nullish(),
  errors: z
    .array(z.object({ message: z.string().optional(), extensions: z.object({ code: z.unknown() }).partial().passthrough().optional() }))
    .optional(),
});

/**
 * Turns the cart subgraph's GraphQL answer into a CheckoutCart or the mapped
 * AppError. Exported for readers that get the answer some other way.
 */
export function checkoutCartFromResponse(body: unknown, cartId: string): CheckoutCart {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw serviceUnavailable(new Error(`unexpected cart response: ${parsed.error.message}`));
  const { data, errors } = parsed.data;
  const codes = (errors ?? []).map((error) => error.extensions?.code);
  if (codes.includes(ErrorCode.UNAUTHENTICATED)) throw new AppError(ErrorCode.UNAUTHENTICATED, 'You must be signed in.');
  const cart = data?.cart ?? null;
  if (!cart) {
    // Someone else's cart, an id that cannot exist, or no cart at all: the caller hears "not found".
    const clientCodes: unknown[] = [ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.BAD_USER_INPUT];
    if (codes.length === 0 || codes.every((code) => clientCodes.includes(code))) throw notFound('Cart', cartId);
    throw serviceUnavailable(new Error(`cart subgraph errors: ${JSON.stringify(errors)}`));
  }
  if (cart.lines.length === 0) throw cartEmpty();
  return {
    id: cart.id,
    currency: cart.currency,
    discountCode: cart.discountCode ?? null,
    lines: cart.lines.map((line) => ({
      id: line.id,
      variantId: line.variant.id,
      productId: line.productId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      unitPriceMinor: line.unitPrice.amountMinor,
      lineTotalMinor: line.lineTotal.amountMinor,
    })),
    subtotalMinor: cart.totals.subtotal.amountMinor,
    discountMinor: cart.totals.discount.amountMinor,
    taxMinor: cart.totals.estimatedTax.amountMinor,
    shippingMinor: cart.totals.estimatedShipping.amountMinor,
    totalMinor: cart.totals.total.amountMinor,
  };
}

export interface HttpCartReaderOptions {
  /** The cart subgraph's GraphQL endpoint, e.g. http://127.0.0.1:4003/graphql. */
  url: string;
  /** A call that takes longer fails with SERVICE_UNAVAILABLE (default 5 s). */
  timeoutMs?: number;
  /** Keep-alive sockets to the cart subgraph (default 32). */
  maxSockets?: number;
  /** Largest answer accepted (default 1 MiB); a cart is a few KiB. */
  maxResponseBytes?: number;
  logger?: Logger;
}

/** Reads carts from the cart subgraph with plain node:http and one keep-alive agent. */
export class HttpCartReader implements CartReader {
  private readonly target: URL;
  private readonly module: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: HttpCartReaderOptions) {
    this.target = new URL(options.url);
    const secure = this.target.protocol === 'https:';
    this.module = secure ? https : http;
    const agentOptions: http.AgentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32, scheduling: 'lifo' };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  }

  async readCart(request: CartReadRequest): Promise<CheckoutCart> {
    let body: unknown;
    try {
      body = await this.post(request);
    } catch (error) {
      this.options.logger?.warn({ err: error, cartId: request.cartId }, 'cart subgraph call failed');
      throw serviceUnavailable(error);
    }
    try {
      return checkoutCartFromResponse(body, request.cartId);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.SERVICE_UNAVAILABLE) {
        this.options.logger?.warn({ err: error.originalError, cartId: request.cartId }, 'cart subgraph answered unexpectedly');
      }
      throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /** POSTs the query; resolves with the parsed JSON body, rejects on transport errors. */
  private post(request: CartReadRequest): Promise<unknown> {
    const payload = JSON.stringify({
      query: CART_FOR_CHECKOUT_QUERY,
      operationName: 'CartForCheckout',
      variables: { id: request.cartId, ...(request.cartToken ? { cartToken: request.cartToken } : {}) },
    });
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': Buffer.byteLength(payload),
    };
    if (request.authorization) headers.authorization = request.authorization;
    if (request.requestId) headers['x-request-id'] = request.requestId;
    if (request.traceContext?.traceparent) headers.traceparent = request.traceContext.traceparent;
    if (request.traceContext?.tracestate) headers.tracestate = request.traceContext.tracestate;

    return new Promise<unknown>((resolve, reject) => {
      const req = this.module.request(
        {
          method: 'POST',
          hostname: this.target.hostname.replace(/^\[|\]$/g, ''),
          port: this.target.port,
          path: `${this.target.pathname}${this.target.search}`,
          headers,
          agent: this.agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxResponseBytes) {
              req.destroy(new Error(`cart response larger than ${this.maxResponseBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // GraphQL errors come back as 200 (and Apollo's own request errors as 400 with a JSON body).
            try {
              resolve(JSON.parse(text) as unknown);
            } catch {
              reject(new Error(`cart subgraph answered ${response.statusCode} with a non-JSON body`));
            }
          });
          response.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`cart subgraph call timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
