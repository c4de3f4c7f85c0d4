import { DateTimeScalar } from '@commerce/subgraph-kit';
import { AdminMutation, AdminQuery, AuditEntryConnectionResolvers, AuditEntryResolvers, NotificationDelivery } from './admin.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { Notification, User } from './user.js';

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...AdminQuery },
  Mutation: { ...Mutation, ...AdminMutation },
  Subscription,
  User,
  Notification,
  NotificationDelivery,
  AuditEntry: AuditEntryResolvers,
  AuditEntryConnection: AuditEntryConnectionResolvers,
};
