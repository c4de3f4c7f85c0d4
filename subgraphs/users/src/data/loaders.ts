import DataLoader from 'dataloader';
import type { Address } from '../generated/prisma/client.ts';
import { isUuid } from './ids.js';
import type { UsersDb } from './prisma.js';
import { OMIT_PASSWORD, type UserRecord } from './records.js';

/**
 * Per-request DataLoaders. The router asks for many users at once (every
 * review author, every order's customer) through `_entities`; batching turns
 * N references into one `WHERE id IN (...)` query. A new set is made for
 * every request so nothing cached outlives it.
 */
export interface UsersLoaders {
  userById: DataLoader<string, UserRecord | null>;
  addressById: DataLoader<string, Address | null>;
}

/** Ids that are not UUIDs cannot exist; asking PostgreSQL would fail the whole batch. */
function byId<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): (T | null)[] {
  const found = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => found.get(id) ?? null);
}

export function createLoaders(db: UsersDb): UsersLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.user.findMany({ where: { id: { in: valid } }, omit: OMIT_PASSWORD }) : [];
      return byId(ids, rows);
    }),
    addressById: new DataLoader(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await db.address.findMany({ where: { id: { in: valid } } }) : [];
      return byId(ids, rows);
    }),
  };
}
