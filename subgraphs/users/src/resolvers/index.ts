import { DateTimeScalar } from '@commerce/subgraph-kit';
import { AuditEntry, AuditEntryConnection, UserConnection } from './admin.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { User } from './user.js';

export const resolvers = { DateTime: DateTimeScalar, Query, Mutation, User, UserConnection, AuditEntry, AuditEntryConnection };
