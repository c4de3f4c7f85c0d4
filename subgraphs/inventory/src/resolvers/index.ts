import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { ProductResolvers, ProductVariantResolvers, StockAvailabilityResolvers, StockLevelResolvers } from './types.js';

/** Every resolver of schema.graphql; plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<InventoryContext> = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  ProductVariant: ProductVariantResolvers,
  Product: ProductResolvers,
  StockAvailability: StockAvailabilityResolvers,
  StockLevel: StockLevelResolvers,
};
