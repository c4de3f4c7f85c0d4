import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { OrdersContext } from '../context.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import {
  AuditEntryConnectionResolvers,
  AuditEntryResolvers,
  OrderConnectionResolvers,
  OrderEventResolvers,
  OrderLineResolvers,
  OrderRefundLineResolvers,
  OrderRefundResolvers,
  OrderResolvers,
  OrderTransitionResolvers,
  UserResolvers,
} from './types.js';

/** Every resolver of schema.graphql; enums and plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<OrdersContext> = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Order: OrderResolvers,
  OrderConnection: OrderConnectionResolvers,
  OrderLine: OrderLineResolvers,
  OrderRefund: OrderRefundResolvers,
  OrderRefundLine: OrderRefundLineResolvers,
  OrderTransition: OrderTransitionResolvers,
  OrderEvent: OrderEventResolvers,
  AuditEntry: AuditEntryResolvers,
  AuditEntryConnection: AuditEntryConnectionResolvers,
  User: UserResolvers,
};
