const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id in this database is a UUID; anything else cannot match a row. */
export const isUuid = (value: string): boolean => UUID.test(value);
