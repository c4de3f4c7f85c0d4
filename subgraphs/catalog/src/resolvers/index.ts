import { DateTimeScalar, type GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import {
  AuditEntryConnectionResolvers,
  AuditEntryResolvers,
  CategoryConnectionResolvers,
  CategoryResolvers,
  ProductConnectionResolvers,
  ProductResolvers,
  ProductVariantResolvers,
  ReviewConnectionResolvers,
  ReviewResolvers,
} from './types.js';

/** Every resolver of schema.graphql; enums and plain fields use graphql-js defaults. */
export const resolvers: GraphQLResolverMap<CatalogContext> = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Product: ProductResolvers,
  ProductVariant: ProductVariantResolvers,
  Category: CategoryResolvers,
  Review: ReviewResolvers,
  ReviewConnection: ReviewConnectionResolvers,
  ProductConnection: ProductConnectionResolvers,
  CategoryConnection: CategoryConnectionResolvers,
  AuditEntry: AuditEntryResolvers,
  AuditEntryConnection: AuditEntryConnectionResolvers,
};
