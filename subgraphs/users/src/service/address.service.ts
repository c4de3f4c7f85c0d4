import { AppError, badInput, ErrorCode, notFound } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { ServiceContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { UsersTx } from '../data/prisma.js';
import { OMIT_PASSWORD, toAddressNode, type AddressNode, type UserRecord } from '../data/records.js';
import type { Address, Prisma } from '../generated/prisma/client.ts';
import { rememberUser, requireUserId } from './user.service.js';
import {
  createAddressInputSchema,
  deleteAddressInputSchema,
  parseInput,
  setDefaultAddressInputSchema,
  updateAddressInputSchema,
} from './validation.js';

/**
 * AddressService: a user's address book and its default address.
 *
 * Rules: the first address becomes the default; `makeDefault` or
 * setDefaultAddress moves it; deleting the default hands it to the newest
 * remaining address, or to none. The default lives on the user row
 * (User.defaultAddressId), so "exactly one default" holds by construction.
 * Every write that can touch the default locks the user row first, which
 * serializes concurrent edits of one address book without blocking others.
 * Callers only ever act on their own address book; another user's address
 * is reported as NOT_FOUND so ids cannot be probed.
 */

/** A generous cap that stops a script from filling the table through one account. */
export const MAX_ADDRESSES_PER_USER = 50;

/** Newest first: the order in which deleting the default picks a successor. */
const NEWEST_FIRST: Prisma.AddressOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];

/** Locks the user's row for the rest of the transaction and returns its current default. */
async function lockAddressBook(tx: UsersTx, userId: string): Promise<{ defaultAddressId: string | null }> {
  const rows = await tx.$queryRaw<{ default_address_id: string | null }[]>`
    SELECT default_address_id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound('User', userId);
  return { defaultAddressId: row.default_address_id };
}

async function ownAddress(tx: UsersTx, userId: string, addressId: string): Promise<Address> {
  const address = await tx.address.findFirst({ where: { id: addressId, userId } });
  if (!address) throw notFound('Address', addressId);
  return address;
}

async function setDefault(ctx: ServiceContext, tx: UsersTx, userId: string, addressId: string | null) {
  const user = await tx.user.update({ where: { id: userId }, data: { defaultAddressId: addressId }, omit: OMIT_PASSWORD });
  rememberUser(ctx, user);
  return user;
}

interface CursorKey {
  createdAt: Date;
  id: string;
}

const cursorOf = (address: Address): string => encodeCursor([address.createdAt.toISOString(), address.id]);

/** The sort key inside a cursor; INVALID_CURSOR for anything we did not issue. */
function parseCursor(cursor: string): CursorKey {
  const [createdAt, id] = decodeCursor(cursor);
  const date = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
  if (typeof id !== 'string' || !isUuid(id) || Number.isNaN(date.getTime())) {
    throw new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid.');
  }
  return { createdAt: date, id };
}

/** One page of a user's addresses, newest first (keyset pagination on createdAt, id). */
export async function listAddresses(
  ctx: ServiceContext,
  user: Pick<UserRecord, 'id' | 'defaultAddressId'>,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<AddressNode> & { totalCount: number }> {
  const first = clampFirst(args.first);
  const after = args.after ? parseCursor(args.after) : null;
  const where: Prisma.AddressWhereInput = { userId: user.id };
  const page: Prisma.AddressWhereInput = after
    ? {
        ...where,
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      }
    : where;
  const [rows, totalCount] = await Promise.all([
    ctx.db.address.findMany({ where: page, orderBy: NEWEST_FIRST, take: first + 1 }),
    ctx.db.address.count({ where }),
  ]);
  const connection = toConnection(rows, first, cursorOf);
  return {
    ...connection,
    edges: connection.edges.map((edge) => ({ ...edge, node: toAddressNode(edge.node, user.defaultAddressId) })),
    totalCount,
  };
}

/** The user's default address, or null when the address book is empty. */
export async function defaultAddress(
  ctx: ServiceContext,
  user: Pick<UserRecord, 'defaultAddressId'>,
): Promise<AddressNode | null> {
  if (!user.defaultAddressId) return null;
  const address = await ctx.loaders.addressById.load(user.defaultAddressId);
  return address ? toAddressNode(address, user.defaultAddressId) : null;
}

/** Adds an address to the caller's book; the first one, or one with makeDefault, becomes the default. */
export async function createAddress(ctx: ServiceContext, rawInput: unknown): Promise<AddressNode> {
  const userId = requireUserId(ctx);
  const { makeDefault, ...fields } = parseInput(createAddressInputSchema, rawInput);
  return ctx.db.$transaction(async (tx) => {
    const book = await lockAddressBook(tx, userId);
    const count = await tx.address.count({ where: { userId } });
    if (count >= MAX_ADDRESSES_PER_USER) {
      throw badInput(`An address book holds at most ${MAX_ADDRESSES_PER_USER} addresses.`);
    }
    const address = await tx.address.create({
      data: {
        userId,
        ...fields,
        line2: fields.line2 ?? null,
        region: fields.region ?? null,
        phone: fields.phone ?? null,
      },
    });
    let defaultId = book.defaultAddressId;
    if (makeDefault || defaultId === null) {
      await setDefault(ctx, tx, userId, address.id);
      defaultId = address.id;
    }
    return toAddressNode(address, defaultId);
  });
}

/** Changes fields of one of the caller's addresses; absent fields stay, null clears optional ones. */
export async function updateAddress(ctx: ServiceContext, rawInput: unknown): Promise<AddressNode> {
  const userId = requireUserId(ctx);
  const { id, ...changes } = parseInput(updateAddressInputSchema, rawInput);
  return ctx.db.$transaction(async (tx) => {
    const book = await lockAddressBook(tx, userId);
    await ownAddress(tx, userId, id);
    // Prisma skips undefined keys, which is exactly "leave unchanged".
    const address = await tx.address.update({ where: { id }, data: changes });
    ctx.loaders.addressById.clear(id).prime(id, address);
    return toAddressNode(address, book.defaultAddressId);
  });
}

/** Removes one of the caller's addresses; if it was the default, the newest remaining one takes over. */
export async function deleteAddress(ctx: ServiceContext, rawInput: unknown): Promise<{ deletedAddressId: string }> {
  const userId = requireUserId(ctx);
  const { id } = parseInput(deleteAddressInputSchema, rawInput);
  await ctx.db.$transaction(async (tx) => {
    const book = await lockAddressBook(tx, userId);
    await ownAddress(tx, userId, id);
    await tx.address.delete({ where: { id } });
    if (book.defaultAddressId === id) {
      const successor = await tx.address.findFirst({ where: { userId }, orderBy: NEWEST_FIRST, select: { id: true } });
      await setDefault(ctx, tx, userId, successor?.id ?? null);
    }
  });
  ctx.loaders.addressById.clear(id);
  return { deletedAddressId: id };
}

/** Makes one of the caller's addresses the default and returns the updated user. */
export async function setDefaultAddress(ctx: ServiceContext, rawInput: unknown): Promise<UserRecord> {
  const userId = requireUserId(ctx);
  const { addressId } = parseInput(setDefaultAddressInputSchema, rawInput);
  return ctx.db.$transaction(async (tx) => {
    await lockAddressBook(tx, userId);
    await ownAddress(tx, userId, addressId);
    return setDefault(ctx, tx, userId, addressId);
  });
}
