import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import {
  AuditEntryConnectionResolvers,
  AuditEntryResolvers,
  ProductResolvers,
  ProductVariantResolvers,
  StockAvailabilityResolvers,
  StockLevelConnectionResolvers,
  StockLevelResolvers,
  StockMovementConnectionResolvers,
  StockMovementResolvers,
  StockReservationConnectionResolvers,
  StockReservationLineResolvers,
  StockReservationResolvers,
} from './types.js';

/** Every resolver of schema.graphql; plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<InventoryContext> = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  ProductVariant: ProductVariantResolvers,
  Product: ProductResolvers,
  StockAvailability: StockAvailabilityResolvers,
  StockLevel: StockLevelResolvers,
  StockLevelConnection: StockLevelConnectionResolvers,
  StockMovement: StockMovementResolvers,
  StockMovementConnection: StockMovementConnectionResolvers,
  StockReservation: StockReservationResolvers,
  StockReservationLine: StockReservationLineResolvers,
  StockReservationConnection: StockReservationConnectionResolvers,
  AuditEntry: AuditEntryResolvers,
  AuditEntryConnection: AuditEntryConnectionResolvers,
};
