import { createEventRegistry } from '../define.js';
import { CartCheckedOut, CartLineAdded, CartLineRemoved } from './cart.js';
import { OrderCancelled, OrderConfirmed, OrderPlaced, OrderRefunded, OrderRefundRequested, OrderStatusChanged } from './order.js';
import {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentFailed,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentVoided,
} from './payment.js';
import { ProductCreated, ProductPriceChanged, ProductUpdated } from './product.js';
import {
  StockCommitted,
  StockLevelChanged,
  StockLow,
  StockReleased,
  StockReservationExpired,
  StockReservationFailed,
  StockReserved,
} from './stock.js';
import { UserDeleted, UserEmailChanged, UserEmailChangeRequested, UserPasswordResetRequested, UserRegistered } from './user.js';

export * from './cart.js';
export * from './common.js';
export * from './order.js';
export * from './payment.js';
export * from './product.js';
export * from './stock.js';
export * from './user.js';

/** Every domain event definition. Add new definitions (and new versions) here. */
export const eventDefinitions = [
  UserRegistered,
  UserPasswordResetRequested,
  UserEmailChangeRequested,
  UserEmailChanged,
  UserDeleted,
  ProductCreated,
  ProductUpdated,
  ProductPriceChanged,
  CartLineAdded,
  CartLineRemoved,
  CartCheckedOut,
  OrderPlaced,
  OrderStatusChanged,
  OrderConfirmed,
  OrderCancelled,
  OrderRefundRequested,
  OrderRefunded,
  StockReserved,
  StockReservationFailed,
  StockReservationExpired,
  StockReleased,
  StockCommitted,
  StockLevelChanged,
  StockLow,
  PaymentAuthorized,
  PaymentFailed,
  PaymentCaptured,
  PaymentVoided,
  PaymentRefunded,
  PaymentRefundFailed,
] as const;

/** The registry consumers use by default to look up and validate incoming events. */
export const eventRegistry = createEventRegistry(eventDefinitions);

export type DomainEventDefinition = (typeof eventDefinitions)[number];
export type DomainEventType = DomainEventDefinition['type'];
