/**
 * Every graph error becomes a clear message where the shopper acted: one map
 * from `extensions.code` (and, where it tells more, `extensions.reason`) to
 * words. Areas add their codes here; unknown codes get a generic sentence,
 * never the server's message or a stack trace.
 */
const MESSAGES: Record<string, string> = {
  // General
  SERVICE_UNAVAILABLE: 'The shop is temporarily unavailable. Please try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
  UNAUTHENTICATED: 'Please sign in to continue.',
  FORBIDDEN: 'You do not have access to this.',
  NOT_FOUND: 'We could not find that.',
  BAD_USER_INPUT: 'Please check what you entered.',
  // Cart
  UNSUPPORTED_CURRENCY: 'This item is not sold in your cart’s currency.',
  INVALID_DISCOUNT_CODE: 'That discount code is not valid. Check the spelling, or it may have expired.',
  // Checkout
  CART_EMPTY: 'Your cart is empty. Add something before checking out.',
  IDEMPOTENCY_KEY_REUSED: 'This checkout was already used for another cart. Please review your order and try again.',
  INSUFFICIENT_STOCK: 'Some items are no longer available in the quantity you chose.',
  INVALID_STATE_TRANSITION: 'That is not possible for this order any more.',
  // Account, sign-in and password reset
  INVALID_CREDENTIALS: 'That email and password do not match. Check them and try again.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead, or reset your password.',
  WEAK_PASSWORD: 'Choose a stronger password: at least 10 characters, with a letter and a digit or symbol.',
  INVALID_REFRESH_TOKEN: 'Your session has ended. Please sign in again.',
  TOKEN_EXPIRED: 'Your session has ended. Please sign in again.',
  'BAD_USER_INPUT:INVALID_RESET_TOKEN': 'This password reset link is invalid or has expired. Request a new one.',
  'BAD_USER_INPUT:INVALID_EMAIL_CHANGE_TOKEN': 'This email confirmation link is invalid or has expired. Request the change again.',
  INVALID_CURSOR: 'That page of results is no longer available. Start again from the first page.',
  RATE_LIMITED: 'Too many attempts. Please wait a minute and try again.',
};

const GENERIC = 'Something went wrong. Please try again.';

export function messageFor(code: string | undefined, reason?: string): string {
  if (reason && MESSAGES[`${code}:${reason}`]) return MESSAGES[`${code}:${reason}`] as string;
  return (code && MESSAGES[code]) || GENERIC;
}

/** Adds (or overrides) messages for an area; call at module load of the area's actions. */
export function registerMessages(messages: Record<string, string>): void {
  Object.assign(MESSAGES, messages);
}

/** The code of any error thrown by executeGraphQL (GraphQLRequestError, RouterUnavailableError), else undefined. */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return undefined;
}
