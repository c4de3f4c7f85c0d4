import { allow, isAdmin, isAuthenticated, ownerOrAdmin, type ShieldRules } from '@commerce/subgraph-kit';

/**
 * Who may do what. Mutations are deny-by-default in subgraph-kit, so each is
 * opened here. Everything is about the signed-in user's own notifications:
 * the services take the user from the identity, never from arguments. `User`
 * is reachable by anyone through federation (`_entities` resolves references
 * without shield), so its fields are guarded one by one: the user or an admin.
 */
const ownUserOrAdmin = ownerOrAdmin((user: { id: string }) => user.id);

export const permissions: ShieldRules = {
  Query: {
    notificationPreferences: isAuthenticated,
    notificationDeliveries: isAdmin,
    notificationDelivery: isAdmin,
    notificationTemplatePreview: isAdmin,
    notificationsAuditLog: isAdmin,
  },
  Mutation: {
    markNotificationRead: isAuthenticated,
    markAllNotificationsRead: isAuthenticated,
    updateNotificationPreferences: isAuthenticated,
    resendNotification: isAdmin,
  },
  Subscription: {
    notificationReceived: isAuthenticated,
  },
  User: {
    id: allow,
    notifications: ownUserOrAdmin,
    unreadNotificationCount: ownUserOrAdmin,
  },
};
