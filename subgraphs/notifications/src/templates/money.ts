/**
 * Money as shoppers read it: integer minor units plus an ISO 4217 code,
 * formatted with Intl.NumberFormat in the currency's home locale, e.g.
 * 12999 USD → "$129.99", 12999 EUR → "129,99 €" (with a no-break space, as
 * German typography wants it).
 */
const LOCALE_BY_CURRENCY: Record<string, string> = { USD: 'en-US', EUR: 'de-DE' };

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat(LOCALE_BY_CURRENCY[currency] ?? 'en-US', { style: 'currency', currency });
    formatters.set(currency, formatter);
  }
  return formatter;
}

export function formatMoney(amountMinor: number, currency: string): string {
  const formatter = formatterFor(currency);
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(amountMinor / 10 ** digits);
}
