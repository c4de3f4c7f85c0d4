/** The admin's money input: decimal text to integer minor units by string work, never a float. */
import { describe, expect, it } from 'vitest';
import { formatMoney, minorToDecimalString, parseMoneyInput } from '../../admin/src/lib/money.ts';

describe('parseMoneyInput', () => {
  it('reads amounts exactly, with a dot or a comma', () => {
    expect(parseMoneyInput('19.99')).toBe(1999);
    expect(parseMoneyInput('0.29')).toBe(29); // Math.round would be needed after 0.29 * 100 = 28.999999999999996
    expect(parseMoneyInput('1.1')).toBe(110);
    expect(parseMoneyInput('18,5')).toBe(1850);
    expect(parseMoneyInput(' 20 ')).toBe(2000);
    expect(parseMoneyInput('0.05')).toBe(5);
    expect(parseMoneyInput('999999999.99')).toBe(99999999999);
    expect(parseMoneyInput('4.35')).toBe(435); // 4.35 * 100 = 434.99999999999994
  });

  it('refuses what is not an amount', () => {
    for (const input of ['', '-1', '1.999', '1e3', 'abc', '1.2.3', '1,000.00', '0x10', '1 000', '1234567890']) {
      expect(parseMoneyInput(input), input).toBeNull();
    }
  });

  it('round-trips with the decimal string the edit form shows', () => {
    for (const minor of [0, 5, 29, 110, 1999, 123456789]) expect(parseMoneyInput(minorToDecimalString(minor, 2))).toBe(minor);
    expect(formatMoney({ amountMinor: 1850, currency: 'EUR' })).toBe('€18.50');
  });
});
