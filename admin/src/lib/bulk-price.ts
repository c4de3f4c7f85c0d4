import { parseMoneyInput } from './money';

export interface PriceChange {
  percentBasisPoints?: number;
  amountMinor?: number;
}

/**
 * The change typed in the bulk price form, read without float math:
 * percent "10" → 1000 basis points, "-2.5" → -250; amount "-1.50" → -150 minor units.
 */
export function parsePriceChange(kind: string, value: string): PriceChange | null {
  const trimmed = value.trim();
  const negative = trimmed.startsWith('-');
  const unsigned = negative || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  const magnitude = parseMoneyInput(unsigned, 2);
  if (magnitude === null || magnitude === 0) return null;
  const signed = negative ? -magnitude : magnitude;
  if (kind === 'percent') return signed <= -10_000 || signed > 100_000 ? null : { percentBasisPoints: signed };
  return { amountMinor: signed };
}
