import { forbidden, unauthenticated } from '@commerce/errors';
import { allow, isAdmin, isAuthenticated, rule } from '@commerce/subgraph-kit';
import type { UsersContext } from './context.js';
import { canSeePrivateFields, type UserView } from './service/user.service.js';

/**
 * Who may call what. Mutations are deny-by-default in subgraph-kit, so each
 * is allowed here explicitly. `User` is reachable by anyone through
 * federation (`_entities` resolves references without shield), so its private
 * fields are guarded field by field.
 */

/** Private user fields: the owner, an administrator, or a caller who just signed in as this user. */
const isOwnerOrAdmin = rule({ cache: 'no_cache' })((user: UserView, _args: unknown, ctx: UsersContext) => {
  if (canSeePrivateFields(ctx.identity, user)) return true;
  return ctx.identity ? forbidden('Only the account owner or an administrator can see this field.') : unauthenticated();
});

export const permissions = {
  Query: {
    me: allow,
    // The console's customers list and audit log.
    users: isAdmin,
    user: isAdmin,
    usersAuditLog: isAdmin,
    _entities: allow,
    _service: allow,
  },
  Mutation: {
    // Anonymous by nature: they are how a caller obtains a session.
    register: allow,
    login: allow,
    refreshSession: allow,
    // Proof of the session is the refresh token itself, not an access token.
    logout: allow,
    // Forgotten passwords: the caller has no session by definition. Proof is the emailed token.
    requestPasswordReset: allow,
    resetPassword: allow,
    updateProfile: isAuthenticated,
    createAddress: isAuthenticated,
    updateAddress: isAuthenticated,
    deleteAddress: isAuthenticated,
    setDefaultAddress: isAuthenticated,
    // Account changes: a session plus the current password (checked by the service).
    changePassword: isAuthenticated,
    requestEmailChange: isAuthenticated,
    deleteAccount: isAuthenticated,
    // The link may be opened on any device, signed in or not. Proof is the emailed token.
    confirmEmailChange: allow,
    // Grant or revoke the admin role; the service refuses an admin's own demotion.
    setUserRole: isAdmin,
  },
  User: {
    '*': allow,
    email: isOwnerOrAdmin,
    role: isOwnerOrAdmin,
    addresses: isOwnerOrAdmin,
    defaultAddress: isOwnerOrAdmin,
  },
  Address: allow,
  // Only reachable through admin-only roots.
  UserConnection: allow,
  UserEdge: allow,
  AuditEntry: allow,
  AuditEntryEdge: allow,
  AuditEntryConnection: allow,
  AddressConnection: allow,
  AddressEdge: allow,
  PageInfo: allow,
  AuthPayload: allow,
  LogoutPayload: allow,
  DeleteAddressPayload: allow,
  RequestPasswordResetPayload: allow,
  ResetPasswordPayload: allow,
  RequestEmailChangePayload: allow,
  ConfirmEmailChangePayload: allow,
  DeleteAccountPayload: allow,
  _Service: allow,
};
