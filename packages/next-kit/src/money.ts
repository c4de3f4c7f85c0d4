/**
 * Money as the graph carries it: integer minor units and a currency code.
 * Pure functions, safe in client components.
 */

/** The currencies the shop prices in (the graph's CurrencyCode). */
export const CURRENCIES = ['USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/**
 * 1999, 2 → "19.99"; -5, 2 → "-0.05". String work: Intl.NumberFormat accepts
 * decimal strings exactly, and a money input shows them. `fractionDigits` has
 * no default on purpose: a default keeps the bundler from inlining this into
 * formatMoney, which costs every storefront page a few bytes.
 */
export function minorToDecimalString(amountMinor: number, fractionDigits: number): string {
  const negative = amountMinor < 0;
  const digits = String(Math.abs(Math.trunc(amountMinor))).padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  return `${negative ? '-' : ''}${whole}${fractionDigits > 0 ? `.${fraction}` : ''}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Formats integer minor units as the currency's amount, e.g. 1999 USD → $19.99.
 * The division by the currency's minor-unit factor happens inside Intl (via a
 * decimal string), so no float arithmetic touches the amount.
 */
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
