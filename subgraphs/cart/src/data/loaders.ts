/**
 * Per-request DataLoaders. Carts come from Redis in one pipeline per batch,
 * with one PostgreSQL statement for the users' carts Redis no longer had
 * (which are written back to Redis); variants and discount codes come from
 * PostgreSQL in one statement per batch. Created per request, in
 * createContext, so nothing is cached across callers.
 */
import { createLoader, DataLoader } from '@commerce/subgraph-kit';
import type { DiscountCode, DiscountCodeAmount, DiscountCodeUse } from '../generated/prisma/client.js';
import type { CartDoc } from './cart-document.js';
import { firstUsesOfCodes } from './discount-codes.js';
import { loadDurableByIds, loadDurableByUsers, type DurableCart } from './durable.js';
import { isUuid } from './ids.js';
import type { CartPrisma } from './prisma.js';
import { findVariants, type VariantView } from './read-model.js';
import type { CartStore } from './redis-store.js';

export type DiscountCodeRow = DiscountCode & { amounts: DiscountCodeAmount[] };

/** Puts reloaded users' carts back into Redis for the time they have left; best effort. */
async function backFill(store: CartStore, carts: readonly DurableCart[], now: number): Promise<void> {
  await Promise.all(carts.map((durable) => store.put(durable.cart, { mode: 'fill', ttlMs: durable.expiresAt.getTime() - now })));
}

/**
 * Carts by id: Redis first; the ids Redis misses are looked up among the
 * durable copies of users' carts (an anonymous cart Redis misses is gone).
 */
export async function readCarts(store: CartStore, prisma: CartPrisma, ids: readonly string[]): Promise<(CartDoc | null)[]> {
  const valid = ids.filter(isUuid);
  const cached = await store.getMany(valid);
  const found = new Map<string, CartDoc>();
  valid.forEach((id, index) => {
    const cart = cached[index];
    if (cart) found.set(id, cart);
  });
  const missing = valid.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const durable = await loadDurableByIds(prisma, missing);
    for (const { cart } of durable) found.set(cart.id, cart);
    await backFill(store, durable, Date.now());
  }
  return ids.map((id) => found.get(id) ?? null);
}

/** Users' carts by user id: the Redis user index, else the durable copy. */
export async function readCartsOfUsers(
  store: CartStore,
  prisma: CartPrisma,
  cartById: DataLoader<string, CartDoc | null>,
  userIds: readonly string[],
): Promise<(CartDoc | null)[]> {
  const valid = userIds.filter(isUuid);
  const indexed = await store.userCartIds(valid);
  const found = new Map<string, CartDoc>();
  const candidates = await cartById.loadMany(indexed.map((id) => id ?? ''));
  valid.forEach((userId, index) => {
    const cart = candidates[index];
    if (cart && !(cart instanceof Error) && cart.userId === userId) found.set(userId, cart);
  });
  const missing = valid.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const durable = await loadDurableByUsers(prisma, missing);
    for (const { cart } of durable) {
      if (cart.userId) found.set(cart.userId, cart);
    }
    await backFill(store, durable, Date.now());
  }
  return userIds.map((id) => found.get(id) ?? null);
}

async function firstUsePages(prisma: CartPrisma, keys: readonly string[]) {
  const byTake = new Map<number, string[]>();
  const parsed = keys.map((key) => {
    const at = key.indexOf('|');
    const take = Number(key.slice(0, at));
    const code = key.slice(at + 1);
    byTake.set(take, [...(byTake.get(take) ?? []), code]);
    return { take, code };
  });
  const results = new Map<number, Awaited<ReturnType<typeof firstUsesOfCodes>>>();
  await Promise.all([...byTake].map(async ([take, codes]) => results.set(take, await firstUsesOfCodes(prisma, codes, take))));
  return parsed.map(({ take, code }) => results.get(take)?.get(code) ?? { rows: [], totalCount: 0 });
}

/** How often each (code, user) pair was used; keys are `CODE|userId`. */
async function countUsesByCustomer(prisma: CartPrisma, keys: readonly string[]): Promise<number[]> {
  const pairs = keys.map((key) => {
    const at = key.lastIndexOf('|');
    return { code: key.slice(0, at), userId: key.slice(at + 1) };
  });
  const valid = pairs.filter((pair) => isUuid(pair.userId));
  const counts = new Map<string, number>();
  if (valid.length > 0) {
    const rows = await prisma.discountCodeUse.groupBy({
      by: ['code', 'userId'],
      where: { OR: valid.map((pair) => ({ code: pair.code, userId: pair.userId })) },
      _count: { _all: true },
    });
    for (const row of rows) counts.set(`${row.code}|${row.userId}`, row._count._all);
  }
  return keys.map((key) => counts.get(key) ?? 0);
}

export function createLoaders(prisma: CartPrisma, store: CartStore) {
  const cartById = new DataLoader<string, CartDoc | null>((ids) => readCarts(store, prisma, ids));
  return {
    cartById,
    cartByUser: new DataLoader<string, CartDoc | null>((userIds) => readCartsOfUsers(store, prisma, cartById, userIds)),
    variantById: createLoader<string, VariantView>((ids) => findVariants(prisma, ids), (variant) => variant.variantId),
    discountByCode: createLoader<string, DiscountCodeRow>(
      (codes) => prisma.discountCode.findMany({ where: { code: { in: [...codes] } }, include: { amounts: true } }),
      (row) => row.code,
    ),
    /** Uses of a code by a signed-in customer, keyed `CODE|userId`: one grouped statement per batch. */
    discountUsesByCustomer: new DataLoader<string, number>((keys) => countUsesByCustomer(prisma, keys)),
    /** First pages of uses, keyed `take|CODE`: one statement per page size in the batch. */
    discountUsesFirstPage: new DataLoader<string, { rows: DiscountCodeUse[]; totalCount: number }>((keys) => firstUsePages(prisma, keys)),
  };
}

export type CartLoaders = ReturnType<typeof createLoaders>;
