import { z } from 'zod';
import { badInput } from '@commerce/errors';
import { isCountryCode } from './countries.js';
import { isUuid } from '../data/ids.js';

/**
 * Input rules for every mutation, in one place. Each schema both validates and
 * normalizes (trims, lower-cases emails, upper-cases country codes), and a
 * failure becomes BAD_USER_INPUT naming the offending `field`, never a crash.
 */

const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;

/** Required text: trimmed, non-empty, bounded, single line. */
const text = (label: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `${label} must not be empty.` })
    .max(max, { error: `${label} must have at most ${max} characters.` })
    .regex(NO_CONTROL_CHARS, { error: `${label} must not contain control characters.` });

/**
 * Optional text: blank or null means "none" (stored as NULL); absent stays
 * undefined so an update can tell "clear it" from "leave it".
 */
const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label} must have at most ${max} characters.` })
    .regex(NO_CONTROL_CHARS, { error: `${label} must not contain control characters.` })
    .nullish()
    .transform((value) => (value === undefined ? undefined : value || null));

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, { error: 'The email address is too long.' })
  .pipe(z.email({ error: 'Enter a valid email address.' }));

export const nameSchema = text('The name', 100);

export const countryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCountryCode, { error: 'The country code must be an ISO 3166-1 alpha-2 code, e.g. US or DE.' });

const postalCodeSchema = text('The postal code', 20).regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, {
  error: 'The postal code may contain letters, digits, spaces and hyphens.',
});

const phoneSchema = optionalText('The phone number', 32).refine(
  (value) => value == null || /^\+?[0-9][0-9 ()./-]{3,30}$/.test(value),
  { error: 'Enter a valid phone number, e.g. +49 30 1234567.' },
);

export const idSchema = (label: string) =>
  z.string().trim().refine(isUuid, { error: `${label} is not a valid id.` });

export const registerInputSchema = z.object({
  email: emailSchema,
  // The password is checked by the password policy (WEAK_PASSWORD), not here,
  // and never trimmed: spaces are part of it.
  password: z.string(),
  name: nameSchema,
});

export const updateProfileInputSchema = z.object({
  name: nameSchema.nullish().refine((value) => value !== null, { error: 'The name cannot be removed.' }),
});

const addressFields = {
  fullName: text('The full name', 100),
  line1: text('Address line 1', 200),
  line2: optionalText('Address line 2', 200),
  city: text('The city', 100),
  region: optionalText('The region', 100),
  postalCode: postalCodeSchema,
  countryCode: countryCodeSchema,
  phone: phoneSchema,
};

export const createAddressInputSchema = z.object({
  ...addressFields,
  makeDefault: z.boolean().nullish().transform((value) => value ?? false),
});

/** Absent means "keep"; null clears an optional field and is refused for a required one. */
const required = <T extends z.ZodType>(schema: T, label: string) =>
  schema.nullish().refine((value) => value !== null, { error: `${label} cannot be removed.` });

export const updateAddressInputSchema = z.object({
  id: idSchema('The address id'),
  fullName: required(addressFields.fullName, 'The full name'),
  line1: required(addressFields.line1, 'Address line 1'),
  line2: addressFields.line2,
  city: required(addressFields.city, 'The city'),
  region: addressFields.region,
  postalCode: required(addressFields.postalCode, 'The postal code'),
  countryCode: required(addressFields.countryCode, 'The country code'),
  phone: addressFields.phone,
});

export type RegisterInput = z.infer<typeof registerInputSchema>;
export type CreateAddressInput = z.infer<typeof createAddressInputSchema>;
export type UpdateAddressInput = z.infer<typeof updateAddressInputSchema>;

export const deleteAddressInputSchema = z.object({ id: idSchema('The address id') });
export const setDefaultAddressInputSchema = z.object({ addressId: idSchema('The address id') });

/**
 * Parses or throws BAD_USER_INPUT for the first problem, with its field path
 * (or `field` when the schema checks a single value).
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, field?: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') || field;
  throw badInput(issue?.message ?? 'The input is invalid.', path);
}
