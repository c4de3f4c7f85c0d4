/**
 * Placing orders: turning a shopper's cart into a PENDING order, exactly once
 * per idempotency key. Use this service for anything that creates an order.
 *
 * The cart is read from the cart subgraph (CartReader, with the caller's
 * Authorization header), and its lines and prices are copied into the order:
 * later price changes never touch a placed order. The order, its lines, the
 * first timeline row (null → PENDING), `order.placed` and
 * `order.status_changed` are written in one transaction; `order.placed`
 * starts the checkout saga (inventory reserves, payments records the amount,
 * cart empties itself).
 *
 * Guests: an anonymous caller checks out with the anonymous cart's `cartToken`
 * (forwarded to the cart subgraph, which shows the cart to whoever holds it)
 * and an `email`, stored as the order's contact email; the order has no user
 * until an account registers with that email (attachGuestOrders). A signed-in
 * caller's contact email is their account email (from the access token); an
 * `email` they send is ignored.
 *
 * Idempotency: (user_id, idempotency_key) is unique, and for guests
 * (cart_id, idempotency_key). A known key returns its
 * order without reading the cart again (the cart is empty by then). Two
 * concurrent submits of a new key both read the cart and race to insert; the
 * loser's insert hits the unique index, its transaction rolls back (no events),
 * and it returns the winner's order. A known key with another cart id is
 * IDEMPOTENCY_KEY_REUSED.
 */
import { AppError, ErrorCode, badInput, notFound, unauthenticated } from '@commerce/errors';
import type { OrdersContext } from '../context.js';
import type { Order } from '../generated/prisma/client.js';
import { cartEmpty, type CheckoutCart } from '../data/cart-client.js';
import { isUuid } from '../data/ids.js';
import { noteTransition, transactionWithLive } from '../data/live.js';
import { primeLines, primeOrders } from '../data/loaders.js';
import { isUniqueViolation, type OrdersDb } from '../data/prisma.js';
import { GUEST_ACTOR, insertPlacedOrder } from '../data/queries.js';
import { publishOrderPlaced, publishStatusChanged } from '../events/publish.js';
import { grantGuestAccess, validGuestEmail } from './guest-access.js';
import { SUPPORTED_CURRENCIES, validAddress, type AddressInput } from './validation.js';

export interface PlaceOrderInput {
  cartId: string;
  shippingAddress: AddressInput;
  idempotencyKey: string;
  paymentMethodToken: string;
  /** An anonymous cart's token: guest checkout (with `email`), or a signed-in buyer's anonymous cart. */
  cartToken?: string | null;
  /** The guest's contact email; required when anonymous, ignored when signed in. */
  email?: string | null;
}

/** Who is buying: a signed-in user, or a guest known by email. */
interface Buyer {
  userId: string | null;
  email: string;
}

function buyerOf(ctx: OrdersContext, input: PlaceOrderInput): Buyer {
  if (ctx.identity) return { userId: ctx.identity.userId, email: ctx.identity.email.trim().toLowerCase() };
  // Anonymous without a cart token: nothing to check out from (the cart subgraph would refuse too).
  if (!input.cartToken) throw unauthenticated('Sign in, or check out as a guest with the cart\'s cartToken and an email address.');
  return { userId: null, email: validGuestEmail(input.email) };
}

const MAX_IDEMPOTENCY_KEY = 200;
const MAX_TOKEN = 255;

function validKey(key: string): string {
  if (typeof key !== 'string' || key.trim() === '') throw badInput('idempotencyKey is required.', 'idempotencyKey');
  if (key.length > MAX_IDEMPOTENCY_KEY) throw badInput(`idempotencyKey is longer than ${MAX_IDEMPOTENCY_KEY} characters.`, 'idempotencyKey');
  return key;
}

function validToken(token: string): string {
  if (typeof token !== 'string' || !/^\S{1,255}$/.test(token)) {
    throw badInput(`paymentMethodToken must be a provider token (1 to ${MAX_TOKEN} characters, no spaces).`, 'paymentMethodToken');
  }
  return token;
}

/** The order an idempotency key already stands for: the user's, or for a guest the cart's. */
const findByKey = (db: OrdersDb, buyer: Buyer, cartId: string, idempotencyKey: string): Promise<Order | null> =>
  buyer.userId !== null
    ? db.order.findUnique({ where: { userId_idempotencyKey: { userId: buyer.userId, idempotencyKey } } })
    : isUuid(cartId)
      ? db.order.findUnique({ where: { cartId_idempotencyKey: { cartId, idempotencyKey } } })
      : Promise.resolve(null);

/**
 * The order a repeated key stands for, if the repeat is the same request: the
 * same cart, and the same buyer (a guest's order: the same email; it may have
 * been attached to an account since). A guest gets a copy they may read.
 */
function sameRequest(order: Order, cartId: string, buyer: Buyer): Order {
  const sameBuyer = buyer.userId !== null ? order.userId === buyer.userId : order.email === buyer.email;
  if (order.cartId !== cartId || !sameBuyer) {
    throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was already used for another cart.', {
      details: { field: 'idempotencyKey' },
    });
  }
  return buyer.userId === null ? grantGuestAccess(order) : order;
}

/** Cart totals that do not add up are logged, not refused: the cart owns pricing, and the order charges its total. */
function checkTotals(ctx: OrdersContext, cart: CheckoutCart): void {
  const linesSum = cart.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const expectedTotal = cart.subtotalMinor - cart.discountMinor + cart.taxMinor + cart.shippingMinor;
  if (linesSum !== cart.subtotalMinor || expectedTotal !== cart.totalMinor) {
    ctx.logger.warn(
      { cartId: cart.id, linesSum, subtotal: cart.subtotalMinor, expectedTotal, total: cart.totalMinor },
      'cart totals do not add up; the order keeps them as the cart computed them',
    );
  }
}

/**
 * Places an order from the caller's cart (see the top of this file).
 * Errors: UNAUTHENTICATED (anonymous without cartToken), BAD_USER_INPUT (also:
 * unavailable items in the cart; a guest's missing or malformed email),
 * NOT_FOUND (cart), CART_EMPTY,
 * UNSUPPORTED_CURRENCY, IDEMPOTENCY_KEY_REUSED, SERVICE_UNAVAILABLE.
 */
export async function placeOrder(ctx: OrdersContext, input: PlaceOrderInput): Promise<Order> {
  const buyer = buyerOf(ctx, input);
  const idempotencyKey = validKey(input.idempotencyKey);
  const paymentMethodToken = validToken(input.paymentMethodToken);
  const address = validAddress(input.shippingAddress);

  const existing = await findByKey(ctx.prisma, buyer, input.cartId, idempotencyKey);
  if (existing) return sameRequest(existing, input.cartId, buyer);
  if (!isUuid(input.cartId)) throw notFound('Cart', input.cartId);

  const cart = await ctx.cartReader.readCart({
    cartId: input.cartId,
    authorization: ctx.authorization,
    cartToken: input.cartToken ?? undefined,
    requestId: ctx.requestId,
    traceContext: ctx.traceContext,
  });
  if (cart.lines.length === 0) throw cartEmpty();
  // The cart prices an unavailable line (archived product, no price in the
  // currency) at 0 and leaves it out of its totals; such a line is never sold.
  const unavailable = cart.lines.filter((line) => line.unitPriceMinor === 0 || line.lineTotalMinor === 0);
  if (unavailable.length > 0) {
    throw badInput(
      `The cart has items that are no longer available (${unavailable.map((line) => line.sku).join(', ')}); remove them and try again.`,
      'cartId',
    );
  }
  if (!SUPPORTED_CURRENCIES.has(cart.currency)) {
    throw new AppError(ErrorCode.UNSUPPORTED_CURRENCY, `Orders cannot be placed in ${cart.currency}.`);
  }
  checkTotals(ctx, cart);

  const placedAt = new Date();
  try {
    // One statement, no read back: the order comes from its INSERT … RETURNING, the lines are what was written.
    const { order, lines } = await transactionWithLive(ctx.prisma, ctx.live, async (tx) => {
      const { order: row, lines: orderLines } = await insertPlacedOrder(tx, {
        userId: buyer.userId,
        email: buyer.email,
        cartId: input.cartId,
        idempotencyKey,
        currency: cart.currency,
        subtotalMinor: cart.subtotalMinor,
        discountMinor: cart.discountMinor,
        taxMinor: cart.taxMinor,
        shippingMinor: cart.shippingMinor,
        totalMinor: cart.totalMinor,
        discountCode: cart.discountCode,
        shipFullName: address.fullName,
        shipLine1: address.line1,
        shipLine2: address.line2,
        shipCity: address.city,
        shipRegion: address.region,
        shipPostalCode: address.postalCode,
        shipCountryCode: address.countryCode,
        shipPhone: address.phone,
        placedAt,
        lines: cart.lines,
      });
      await publishOrderPlaced(tx, row, orderLines, paymentMethodToken, ctx.traceContext);
      await publishStatusChanged(tx, row, { from: null, to: 'PENDING', reason: null, at: placedAt }, ctx.traceContext);
      noteTransition(tx, row, placedAt, { from: null, actor: buyer.userId ?? GUEST_ACTOR });
      return { order: row, lines: orderLines };
    });
    ctx.logger.info({ orderId: order.id, cartId: order.cartId, totalMinor: order.totalMinor, currency: order.currency }, 'order placed');
    primeOrders(ctx.loaders, [order]);
    // The response's lines are the ones just written.
    primeLines(ctx.loaders, order.id, lines);
    return buyer.userId === null ? grantGuestAccess(order) : order;
  } catch (error) {
    // Only (user_id, idempotency_key) and (cart_id, idempotency_key) can collide: every other key is generated here.
    if (!isUniqueViolation(error)) throw error;
    const winner =
      (await findByKey(ctx.prisma, buyer, input.cartId, idempotencyKey)) ??
      (await ctx.prisma.order.findUnique({ where: { cartId_idempotencyKey: { cartId: input.cartId, idempotencyKey } } }));
    if (!winner) throw error;
    return sameRequest(winner, input.cartId, buyer);
  }
}
