/**
 * Building blocks shared by event payload schemas. Money is always integer
 * minor units plus an ISO 4217 code: floats would round differently in every
 * consumer, and a read model of prices must add up to the cent.
 */
import { z } from 'zod';

/** ISO 4217 alphabetic code, upper case (USD, EUR, ...). */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code, e.g. USD');

/** An amount in minor units (cents): a safe, non-negative integer. */
export const amountMinor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const money = z.object({ currency: currencyCode, amountMinor });

/** Timestamps travel as ISO-8601 strings with an offset; Date objects do not survive JSON. */
export const isoTimestamp = z.iso.datetime({ offset: true });

export const uuid = z.uuid();
