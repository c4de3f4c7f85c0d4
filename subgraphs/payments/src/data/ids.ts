import { createHash, randomBytes } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_RE.test(value);

/**
 * A name-based UUID (RFC 9562 version 5 layout over SHA-1): the same name
 * always gives the same id. Used where an id must survive a retry without
 * being stored first, e.g. the refund request of a cancelled, captured order.
 */
export function deterministicUuid(name: string): string {
  const hash = createHash('sha1').update(`commerce.payments:${name}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return formatUuid(hash.subarray(0, 16));
}

/**
 * A time-ordered UUID (RFC 9562 version 7), the id Prisma's `uuid(7)` default
 * gives, for rows inserted with raw SQL (PostgreSQL 15 has no uuidv7()).
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
