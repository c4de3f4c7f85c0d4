/** The currencies the shop prices in (the graph's CurrencyCode). */
export const CURRENCIES = ['USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

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

/** 1999, 2 → "19.99"; -5, 2 → "-0.05" (string work, for a money input's value). */
export function minorToDecimalString(amountMinor: number, fractionDigits = 2): string {
  const negative = amountMinor < 0;
  const digits = String(Math.abs(Math.trunc(amountMinor))).padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  return `${negative ? '-' : ''}${whole}${fractionDigits > 0 ? `.${fraction}` : ''}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** 1999 USD → "$19.99"; Intl is handed a decimal string, so no float division happens. */
export function formatMoney(money: { amountMinor: number; currency: string }, locale = 'en-US'): string {
  const key = `${locale}:${money.currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    formatters.set(key, formatter);
  }
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(minorToDecimalString(money.amountMinor, digits) as unknown as number);
}
