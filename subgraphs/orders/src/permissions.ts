import { allow, isAdmin, isAuthenticated, ownerOrAdmin, type ShieldRules } from '@commerce/subgraph-kit';
import type { Order } from './generated/prisma/client.js';

/**
 * Who may do what. The kit denies every Mutation field unless it is listed
 * here, so a new mutation is closed until someone opens it on purpose.
 *
 * Orders are private to their owner and admins. `order(id)` hides other
 * users' orders itself (null, like an unknown id), and so does
 * Order.__resolveReference, which shield never guards; every Order field is
 * guarded as well, so an order that reaches a caller by any other path still
 * shows nothing but its id.
 */
const ownsOrder = ownerOrAdmin((order: Order) => order.userId);

export const permissions: ShieldRules = {
  Query: {
    order: isAuthenticated,
    orderByNumber: isAuthenticated,
    orders: isAdmin,
  },
  Mutation: {
    placeOrder: isAuthenticated,
    // Ownership and status are checked by the service (NOT_FOUND for others' orders).
    cancelMyOrder: isAuthenticated,
    fulfillOrder: isAdmin,
    shipOrder: isAdmin,
    markOrderDelivered: isAdmin,
    cancelOrder: isAdmin,
    refundOrder: isAdmin,
  },
  Order: {
    '*': ownsOrder,
    id: allow,
  },
  Subscription: {
    // Once, at subscribe time. Owner or admin is checked by followOrder on the row it reads anyway
    // (FORBIDDEN otherwise, unknown orders included), which saves reading the owner here first.
    orderStatusChanged: isAuthenticated,
  },
  User: {
    orders: ownerOrAdmin((user: { id: string }) => user.id),
  },
};
