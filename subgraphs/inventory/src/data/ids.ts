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

/** Ids of rows inserted with raw SQL: the same v7 uuids Prisma's `uuid(7)` gives. */
export { timeOrderedUuid } from '@commerce/subgraph-kit';
