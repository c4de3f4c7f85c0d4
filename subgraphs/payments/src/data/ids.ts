import { createHash } from 'node:crypto';

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

/** Ids of rows inserted with raw SQL: the same v7 uuids Prisma's `uuid(7)` gives. */
export { timeOrderedUuid } from '@commerce/subgraph-kit';


function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
