import { DateTimeScalar } from '@commerce/subgraph-kit';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { Notification, User } from './user.js';

export const resolvers = { DateTime: DateTimeScalar, Query, Mutation, Subscription, User, Notification };
