import { unauthenticated } from '@commerce/errors';
import { allow, isAdmin, isAuthenticated, or, ownerOrAdmin, rule, type BaseContext, type ShieldRules } from '@commerce/subgraph-kit';
import type { Order } from './generated/prisma/client.js';
import { hasGuestAccess } from './service/guest-access.js';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here, so a new mutation is closed until someone opens it on purpose.
 *
 * Orders are private to their owner and admins. `order(id)` hides other
 * users' orders itself (null, like an unknown id), and so does
 * Order.__resolveReference, which shield never guards; every Order field is
 * guarded as well, so an order that reaches a caller by any other path still
 * shows nothing but its id.
 *
 * Guest orders (no user) are read by the guest through the objects that
 * placeOrder, orderLookup and orderStatusChanged (with the order's email)
 * hand out marked (service/guest-access.ts); nothing else opens them.
 */
const ownsOrder = ownerOrAdmin((order: Order) => order.userId ?? '');
/** An order object handed to a guest who proved it is theirs (guest-access.ts). No cache: it is about this parent object. */
const guestHandedOut = rule({ cache: 'no_cache' })(async (order: Order) => hasGuestAccess(order));
/** Signed in, or a guest following their order by email (followOrder checks the email). */
const signedInOrGuestEmail = rule({ cache: 'no_cache' })(async (_parent: unknown, args: { email?: string | null }, ctx: BaseContext) =>
  ctx.identity !== null || (typeof args.email === 'string' && args.email.trim() !== '') ? true : unauthenticated(),
);

export const permissions: ShieldRules = {
  Query: {
    order: isAuthenticated,
    orderByNumber: isAuthenticated,
    // Anyone: null unless number and email match a guest order (the service).
    orderLookup: allow,
    orders: isAdmin,
    orderStats: isAdmin,
    ordersAuditLog: isAdmin,
  },
  Mutation: {
    // Signed in, or a guest with a cart token and email: the service decides (UNAUTHENTICATED / BAD_USER_INPUT).
    placeOrder: allow,
    // Ownership and status are checked by the service (NOT_FOUND for others' orders).
    cancelMyOrder: isAuthenticated,
    fulfillOrder: isAdmin,
    shipOrder: isAdmin,
    markOrderDelivered: isAdmin,
    cancelOrder: isAdmin,
    refundOrder: isAdmin,
  },
  Order: {
    '*': or(ownsOrder, guestHandedOut),
    id: allow,
  },
  Subscription: {
    // Once, at subscribe time. Owner or admin is checked by followOrder on the row it reads anyway
    // (FORBIDDEN otherwise, unknown orders included), which saves reading the owner here first.
    // A guest passes the order's email instead; followOrder checks it against the row.
    orderStatusChanged: signedInOrGuestEmail,
    // Every order's changes: admins only (followOrderFeed checks again).
    orderEvents: isAdmin,
  },
  User: {
    orders: ownerOrAdmin((user: { id: string }) => user.id),
  },
};
