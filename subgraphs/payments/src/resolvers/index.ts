import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { PaymentsContext } from '../context.js';
import { Query } from './query.js';
import { OrderResolvers, PaymentRefundResolvers, PaymentResolvers } from './types.js';

/** Every resolver of schema.graphql; enums and plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<PaymentsContext> = {
  DateTime: DateTimeScalar,
  Query,
  Order: OrderResolvers,
  Payment: PaymentResolvers,
  PaymentRefund: PaymentRefundResolvers,
};
