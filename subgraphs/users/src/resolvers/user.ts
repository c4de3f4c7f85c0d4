import type { UsersContext } from '../context.js';
import type { UserRecord } from '../data/records.js';
import { defaultAddress, listAddresses } from '../service/address.service.js';
import { findUser } from '../service/user.service.js';

/**
 * `User` is a federation entity. `__resolveReference` is not guarded by
 * graphql-shield, which is why the private fields themselves carry the
 * owner-or-admin rule (permissions.ts), not the reference resolver.
 */
export const User = {
  __resolveReference: (reference: { id: string }, ctx: UsersContext) => findUser(ctx, reference.id),
  addresses: (user: UserRecord, args: { first?: number | null; after?: string | null }, ctx: UsersContext) =>
    listAddresses(ctx, user, args),
  defaultAddress: (user: UserRecord, _args: unknown, ctx: UsersContext) => defaultAddress(ctx, user),
};
