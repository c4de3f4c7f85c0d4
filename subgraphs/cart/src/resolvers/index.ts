import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { CartResolvers, UserResolvers } from './types.js';

/** Every resolver of schema.graphql; enums and plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<CartContext> = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Cart: CartResolvers,
  User: UserResolvers,
};
