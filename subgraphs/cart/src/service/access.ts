/**
 * Who may see or change a cart. One rule, used by Query.cart, every
 * mutation and the Cart entity reference (which shield does not guard):
 *
 * - a signed-in user's cart: its owner; administrators may read it too.
 *   Anonymous callers get UNAUTHENTICATED, other users FORBIDDEN;
 * - an anonymous cart: whoever presents its token; administrators may read it.
 *   A missing or wrong token is FORBIDDEN.
 *
 * Unknown carts are NOT_FOUND (or null from Query.cart). Cart ids are random
 * uuids, so saying that one exists but is not yours gives nothing away, and
 * it lets the client tell "sign in as the right user / bring the token" from
 * "this cart expired".
 */
import { isAdmin } from '@commerce/auth';
import { forbidden, unauthenticated } from '@commerce/errors';
import type { CartContext } from '../context.js';
import type { CartDoc } from '../data/cart-document.js';
import { tokenMatches } from './cart-token.js';

export type AccessMode = 'read' | 'write';

export function checkCartAccess(
  ctx: Pick<CartContext, 'identity'>,
  cart: Pick<CartDoc, 'userId' | 'tokenHash'>,
  cartToken: string | null | undefined,
  mode: AccessMode,
): void {
  const { identity } = ctx;
  if (mode === 'read' && isAdmin(identity)) return;
  if (cart.userId) {
    if (!identity) throw unauthenticated('Sign in to reach this cart.');
    if (identity.userId === cart.userId) return;
    throw forbidden('This cart belongs to someone else.');
  }
  if (tokenMatches(cartToken, cart.tokenHash)) return;
  throw forbidden('This cart can only be reached with its cart token.');
}
