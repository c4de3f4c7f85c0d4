/**
 * Input checks shared by the order services. Each failure is BAD_USER_INPUT
 * with `extensions.field` naming the input field, so forms can point at it.
 */
import { badInput } from '@commerce/errors';

/** Trimmed, non-empty, at most `max` characters. */
export function requireText(value: string | null | undefined, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw badInput(`${field} is required.`, field);
  if (text.length > max) throw badInput(`${field} is longer than ${max} characters.`, field);
  return text;
}

/** Trimmed; empty becomes null; at most `max` characters. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (!text) return null;
  if (text.length > max) throw badInput(`${field} is longer than ${max} characters.`, field);
  return text;
}

export interface AddressInput {
  fullName: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  countryCode: string;
  phone?: string | null;
}

export interface ValidAddress {
  fullName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  countryCode: string;
  phone: string | null;
}

export function validAddress(input: AddressInput, prefix = 'shippingAddress'): ValidAddress {
  const countryCode = requireText(input.countryCode, `${prefix}.countryCode`, 2).toUpperCase();
  if (!/^[A-Z]{2}$/.test(countryCode)) {
    throw badInput('countryCode must be an ISO 3166-1 alpha-2 code, e.g. US.', `${prefix}.countryCode`);
  }
  const phone = optionalText(input.phone, `${prefix}.phone`, 32);
  if (phone !== null && !/^[+0-9 ()./-]{3,32}$/.test(phone)) throw badInput('phone is not a phone number.', `${prefix}.phone`);
  return {
    fullName: requireText(input.fullName, `${prefix}.fullName`, 200),
    line1: requireText(input.line1, `${prefix}.line1`, 200),
    line2: optionalText(input.line2, `${prefix}.line2`, 200),
    city: requireText(input.city, `${prefix}.city`, 100),
    region: optionalText(input.region, `${prefix}.region`, 100),
    postalCode: requireText(input.postalCode, `${prefix}.postalCode`, 20),
    countryCode,
    phone,
  };
}

export const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(['USD', 'EUR']);
