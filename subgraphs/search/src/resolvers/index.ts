import type { GraphQLResolverMap } from '@commerce/subgraph-kit';
import type { SearchContext } from '../context.js';
import { Query } from './query.js';

/**
 * Every resolver of schema.graphql. Product and Category are entity stubs
 * (`resolvable: false`): results carry their id and the catalog resolves the
 * rest; every other field is a plain property of what the services return.
 */
export const resolvers: GraphQLResolverMap<SearchContext> = {
  Query,
};
