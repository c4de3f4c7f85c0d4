import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { uuid } from './common.js';

/** Cart events are keyed by cartId. `userId` is null while the cart is anonymous. */
const cartRef = { cartId: uuid, userId: uuid.nullable() };

export const cartLineAddedSchema = z.object({ ...cartRef, variantId: uuid, quantity: z.number().int().positive() });
/** A line was added, or its quantity raised; `quantity` is the line's new quantity. */
export const CartLineAdded = defineEvent({ type: 'cart.line_added', version: 1, topic: TOPICS.cart, schema: cartLineAddedSchema });

export const cartLineRemovedSchema = z.object({ ...cartRef, variantId: uuid });
export const CartLineRemoved = defineEvent({ type: 'cart.line_removed', version: 1, topic: TOPICS.cart, schema: cartLineRemovedSchema });

/** `userId` is null for a guest order (placed from an anonymous cart). */
export const cartCheckedOutSchema = z.object({ cartId: uuid, userId: uuid.nullable(), orderId: uuid });
/** The cart became an order (the cart reacts to order.placed) and is now empty. */
export const CartCheckedOut = defineEvent({ type: 'cart.checked_out', version: 1, topic: TOPICS.cart, schema: cartCheckedOutSchema });

export type CartLineAddedPayload = z.output<typeof cartLineAddedSchema>;
export type CartLineRemovedPayload = z.output<typeof cartLineRemovedSchema>;
export type CartCheckedOutPayload = z.output<typeof cartCheckedOutSchema>;
