import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import {
  AdminMutation,
  AdminQuery,
  AuditEntryConnectionResolvers,
  AuditEntryResolvers,
  DiscountCodeResolvers,
  DiscountCodeUseResolvers,
} from './admin.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { CartResolvers, UserResolvers } from './types.js';

/** Every resolver of schema.graphql; enums and plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<CartContext> = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...AdminQuery },
  Mutation: { ...Mutation, ...AdminMutation },
  Subscription,
  Cart: CartResolvers,
  User: UserResolvers,
  DiscountCode: DiscountCodeResolvers,
  DiscountCodeUse: DiscountCodeUseResolvers,
  AuditEntry: AuditEntryResolvers,
  AuditEntryConnection: AuditEntryConnectionResolvers,
};
