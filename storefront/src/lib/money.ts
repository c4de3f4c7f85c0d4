export { CURRENCIES, type Currency, formatMoney, isCurrency, minorToDecimalString } from '@commerce/next-kit/money';

/** "19.99" → 1999 for a price filter typed by the shopper; null when it is not an amount. */
export function decimalStringToMinor(input: string, fractionDigits = 2): number | null {
  const match = /^\s*(\d{1,9})(?:[.,](\d{0,2}))?\s*$/.exec(input);
  if (!match) return null;
  const fraction = (match[2] ?? '').padEnd(fractionDigits, '0');
  return Number(`${match[1]}${fraction}`);
}
