import { isAdmin, type Identity } from '@commerce/auth';
import { notFound, unauthenticated } from '@commerce/errors';
import type { ServiceContext } from '../context.js';
import { isRecordNotFound } from '../data/prisma.js';
import { OMIT_PASSWORD, type UserRecord } from '../data/records.js';
import { parseInput, updateProfileInputSchema } from './validation.js';

/**
 * UserService: reading users and changing a user's own profile, and the one
 * rule about who may see a user's private fields (email, role, address book).
 * Use it whenever a resolver needs a user; sign-up, sign-in and sessions live
 * in auth.service.ts, the address book in address.service.ts.
 */

const PROVEN_OWNER: unique symbol = Symbol('provenOwner');

/**
 * A user as returned by register, login or refreshSession. Those requests
 * carry no access token yet, but the caller has just proven to be this user
 * (password or refresh token), so the payload may show its private fields.
 * A symbol cannot be forged through GraphQL input.
 */
export type UserView = UserRecord & { [PROVEN_OWNER]?: true };

export const asProvenOwner = (user: UserRecord): UserView => ({ ...user, [PROVEN_OWNER]: true });

/** The owner and administrators see private fields; everyone else sees id, name and createdAt. */
export function canSeePrivateFields(identity: Identity | null, user: UserView): boolean {
  if (user[PROVEN_OWNER]) return true;
  return identity !== null && (identity.userId === user.id || isAdmin(identity));
}

/** The caller's user id, or UNAUTHENTICATED. */
export function requireUserId(ctx: Pick<ServiceContext, 'identity'>): string {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity.userId;
}

/** A user by id (batched per request), or null: federation references may name unknown users. */
export function findUser(ctx: ServiceContext, id: string): Promise<UserRecord | null> {
  return ctx.loaders.userById.load(id);
}

/** The signed-in user; null for an anonymous caller or a token whose user no longer exists. */
export function currentUser(ctx: ServiceContext): Promise<UserRecord | null> {
  return ctx.identity ? findUser(ctx, ctx.identity.userId) : Promise.resolve(null);
}

/** Changes the caller's own display name. */
export async function updateProfile(ctx: ServiceContext, rawInput: unknown): Promise<UserRecord> {
  const userId = requireUserId(ctx);
  const input = parseInput(updateProfileInputSchema, rawInput);
  try {
    const user = await ctx.db.user.update({
      where: { id: userId },
      // Absent fields are left as they are; an update with nothing to change is fine.
      data: input.name === undefined ? {} : { name: input.name },
      omit: OMIT_PASSWORD,
    });
    rememberUser(ctx, user);
    return user;
  } catch (error) {
    // A valid token whose account was deleted since.
    if (isRecordNotFound(error)) throw notFound('User', userId);
    throw error;
  }
}

/** Keeps the request's loader in step after a write, so later fields read fresh data. */
export function rememberUser(ctx: ServiceContext, user: UserRecord): void {
  ctx.loaders.userById.clear(user.id).prime(user.id, user);
}
