import type { Currency } from '@commerce/next-kit/money';

export { CURRENCIES, type Currency, formatMoney, isCurrency, minorToDecimalString } from '@commerce/next-kit/money';

/** Minor-unit digits per currency (ISO 4217 exponent). */
export const FRACTION_DIGITS: Record<Currency, number> = { USD: 2, EUR: 2 };

/** The HTML pattern of a money input: digits, then at most two decimals after a dot or comma. */
export const MONEY_PATTERN = '\\d{1,9}([.,]\\d{1,2})?';

/**
 * "19.99" → 1999, "19,9" → 1990, "20" → 2000, " 0.05 " → 5; null when the
 * text is not an amount (negative, more decimals than the currency has,
 * letters, over 9 whole digits). Pure string work: the digits are joined and
 * read as one integer, so no float ever touches the amount.
 */
export function parseMoneyInput(input: string, fractionDigits = 2): number | null {
  const match = /^\s*(\d{1,9})(?:[.,](\d*))?\s*$/.exec(input);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > fractionDigits) return null;
  const digits = `${match[1]}${fraction.padEnd(fractionDigits, '0')}`;
  const value = Number.parseInt(digits, 10);
  return Number.isSafeInteger(value) ? value : null;
}
