import { DateTimeScalar } from '@commerce/subgraph-kit';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { User } from './user.js';

export const resolvers = { DateTime: DateTimeScalar, Query, Mutation, User };
