import { randomBytes } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are uuids. Anything else cannot exist, and must never reach SQL as a
 * uuid parameter (that is a database error, not "not found").
 */
export const isUuid = (value: string): boolean => UUID.test(value);

/** The warehouses the first migration seeds; their ids never change. */
export const WAREHOUSE_IDS = {
  newark: 'f2d1b5c0-3a8e-4c6f-9b2d-00000000e001',
  berlin: 'f2d1b5c0-3a8e-4c6f-9b2d-00000000e002',
} as const;

/**
 * A time-ordered uuid (RFC 9562 version 7), the id Prisma's `uuid(7)`
 * default gives, for rows inserted with raw SQL (PostgreSQL 15 has no
 * uuidv7()).
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
