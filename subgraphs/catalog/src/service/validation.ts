/**
 * Input rules shared by the catalog services. Each check throws
 * BAD_USER_INPUT with a `field` detail naming the offending input path (e.g.
 * `variants[1].prices[0].amountMinor`), so a client can point at the field.
 */
import { badInput } from '@commerce/errors';

/** Currencies the shop prices in; mirrors the CurrencyCode enum of the schema. */
export const SUPPORTED_CURRENCIES = ['USD', 'EUR'] as const;
export type CurrencyCode = (typeof SUPPORTED_CURRENCIES)[number];

/** Largest amount PostgreSQL's `integer` column (and GraphQL's Int) holds. */
export const MAX_AMOUNT_MINOR = 2 ** 31 - 1;
export const MAX_VARIANTS = 100;
export const MAX_IMAGES = 20;
export const MAX_OPTIONS = 10;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isCurrency(value: string): value is CurrencyCode {
  return (SUPPORTED_CURRENCIES as readonly string[]).includes(value);
}

export function requireCurrency(value: string, field: string): CurrencyCode {
  if (!isCurrency(value)) throw badInput(`Currency ${value} is not supported.`, field);
  return value;
}

/** Trimmed, non-empty, bounded text. */
export function requireText(value: string, field: string, maxLength: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badInput(`${field} must not be empty.`, field);
  if (trimmed.length > maxLength) throw badInput(`${field} must be at most ${maxLength} characters.`, field);
  return trimmed;
}

/** Trimmed, possibly empty, bounded text. */
export function optionalText(value: string | null | undefined, field: string, maxLength: number): string {
  const trimmed = (value ?? '').trim();
  if (trimmed.length > maxLength) throw badInput(`${field} must be at most ${maxLength} characters.`, field);
  return trimmed;
}

export function requireSlug(value: string, field = 'slug'): string {
  if (value.length > 120 || !SLUG.test(value)) {
    throw badInput('A slug is lower-case letters and digits separated by single hyphens, e.g. "blue-shirt".', field);
  }
  return value;
}

/** "Café Crème 2000!" -> "cafe-creme-2000". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/g, '');
}

export function requireSku(value: string, field: string): string {
  const sku = value.trim();
  if (sku.length === 0 || sku.length > 64 || !SKU.test(sku)) {
    throw badInput('A SKU is 1 to 64 letters, digits, dots, underscores or hyphens.', field);
  }
  return sku;
}

export function requireAmountMinor(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_AMOUNT_MINOR) {
    throw badInput(`Amounts are whole minor units from 0 to ${MAX_AMOUNT_MINOR}.`, field);
  }
  return value;
}

/**
 * An image URL: absolute http(s), or root-relative (`/media/…`, resolved by
 * clients against the storefront's origin; the demo catalog's generated images
 * are served that way). Protocol-relative `//host` and anything else is refused.
 */
export function requireImageUrl(value: string, field: string): string {
  const trimmed = value.trim();
  const message = 'An image URL must be an absolute http(s) URL or a path starting with a single /.';
  if (trimmed.length === 0 || trimmed.length > 2048) throw badInput(message, field);
  if (trimmed.startsWith('/')) {
    if (trimmed.startsWith('//') || /[\\\s]/.test(trimmed)) throw badInput(message, field);
    return trimmed;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badInput(message, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(message, field);
  return trimmed;
}

export function requireRating(value: number, field = 'rating'): number {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw badInput('A rating is a whole number from 1 to 5.', field);
  return value;
}


/** For `product(id, slug)`-style lookups: exactly one of the two. */
export function exactlyOne<A extends string, B extends string>(
  a: { name: A; value: string | null | undefined },
  b: { name: B; value: string | null | undefined },
): { by: A | B; value: string } {
  if (a.value != null && b.value == null) return { by: a.name, value: a.value };
  if (b.value != null && a.value == null) return { by: b.name, value: b.value };
  throw badInput(`Give exactly one of ${a.name} or ${b.name}.`, a.value == null ? a.name : b.name);
}

export interface MoneyInput {
  amountMinor: number;
  currency: string;
}

export interface ValidMoney {
  amountMinor: number;
  currency: CurrencyCode;
}

/** Validates a list of prices: supported currencies, one price per currency, valid amounts. */
export function requirePrices(prices: readonly MoneyInput[], field: string): ValidMoney[] {
  const seen = new Set<string>();
  return prices.map((price, index) => {
    const currency = requireCurrency(price.currency, `${field}[${index}].currency`);
    if (seen.has(currency)) throw badInput(`${currency} is listed twice.`, `${field}[${index}].currency`);
    seen.add(currency);
    return { currency, amountMinor: requireAmountMinor(price.amountMinor, `${field}[${index}].amountMinor`) };
  });
}
