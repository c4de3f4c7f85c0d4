import type { UsersContext } from '../context.js';
import * as account from '../service/account.service.js';
import * as admin from '../service/admin.service.js';
import * as addresses from '../service/address.service.js';
import * as auth from '../service/auth.service.js';
import * as passwordReset from '../service/password-reset.service.js';
import * as users from '../service/user.service.js';

// Inputs arrive already shaped by the GraphQL schema; the services validate and normalize them.
type Input<T = Record<string, unknown>> = { input: T };

export const Mutation = {
  register: (_: unknown, { input }: Input, ctx: UsersContext) => auth.register(ctx, input),
  login: (_: unknown, { input }: Input<{ email: string; password: string }>, ctx: UsersContext) => auth.login(ctx, input),
  refreshSession: (_: unknown, { input }: Input<{ refreshToken: string }>, ctx: UsersContext) =>
    auth.refreshSession(ctx, input.refreshToken),
  logout: async (_: unknown, { input }: Input<{ refreshToken: string }>, ctx: UsersContext) => ({
    success: await auth.logout(ctx, input.refreshToken),
  }),
  updateProfile: (_: unknown, { input }: Input, ctx: UsersContext) => users.updateProfile(ctx, input),
  createAddress: (_: unknown, { input }: Input, ctx: UsersContext) => addresses.createAddress(ctx, input),
  updateAddress: (_: unknown, { input }: Input, ctx: UsersContext) => addresses.updateAddress(ctx, input),
  deleteAddress: (_: unknown, { input }: Input, ctx: UsersContext) => addresses.deleteAddress(ctx, input),
  setDefaultAddress: (_: unknown, { input }: Input, ctx: UsersContext) => addresses.setDefaultAddress(ctx, input),
  requestPasswordReset: (_: unknown, { input }: Input<{ email: string }>, ctx: UsersContext) =>
    passwordReset.requestPasswordReset(ctx, input),
  resetPassword: (_: unknown, { input }: Input<{ token: string; newPassword: string }>, ctx: UsersContext) =>
    passwordReset.resetPassword(ctx, input),
  changePassword: (_: unknown, { input }: Input<{ currentPassword: string; newPassword: string }>, ctx: UsersContext) =>
    account.changePassword(ctx, input),
  requestEmailChange: (_: unknown, { input }: Input<{ newEmail: string; currentPassword: string }>, ctx: UsersContext) =>
    account.requestEmailChange(ctx, input),
  confirmEmailChange: (_: unknown, { input }: Input<{ token: string }>, ctx: UsersContext) =>
    account.confirmEmailChange(ctx, input),
  deleteAccount: (_: unknown, { input }: Input<{ currentPassword: string }>, ctx: UsersContext) =>
    account.deleteAccount(ctx, input),
  setUserRole: (_: unknown, { input }: Input<{ userId: string; role: 'CUSTOMER' | 'ADMIN' }>, ctx: UsersContext) =>
    admin.setUserRole(ctx, input),
};
