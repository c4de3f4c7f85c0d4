const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are uuids. Anything else cannot exist, and must never reach SQL as a
 * uuid parameter (that is a database error, not "no match").
 */
export const isUuid = (value: string): boolean => UUID.test(value);
