import { randomBytes } from 'node:crypto';

/**
 * A time-ordered uuid (RFC 9562 version 7), the id Prisma's `uuid(7)` default
 * gives, for rows a subgraph inserts with raw SQL (PostgreSQL 15 has no
 * uuidv7()). Time order keeps new rows at the right edge of the primary-key
 * index, as Prisma's own ids do.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a uuid: anything else must never reach SQL as a uuid parameter (a database error, not "no match"). */
export const isUuid = (value: string): boolean => UUID.test(value);
