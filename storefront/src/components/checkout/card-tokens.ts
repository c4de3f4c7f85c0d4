import 'server-only';
import { TEST_CARDS } from './payment-methods';

/**
 * The local card form, on the storefront server: checks what the shopper
 * typed and maps the card to the local provider's test token. The card
 * number, expiry and CVC stop here: only the token goes to the graph, and
 * nothing here logs or returns them.
 */
export type CardField = 'cardNumber' | 'cardExpiry' | 'cardCvc' | 'cardName';
export type CardResult = { ok: true; token: string } | { ok: false; errors: Partial<Record<CardField, string>> };

export function cardToken(input: { number: string; expiry: string; cvc: string; name: string }, now = new Date()): CardResult {
  const errors: Partial<Record<CardField, string>> = {};
  const digits = input.number.replace(/[\s-]/g, '');
  if (!digits) errors.cardNumber = 'Enter your card number.';
  else if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) errors.cardNumber = 'Enter a valid card number.';

  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
  if (!input.expiry.trim()) errors.cardExpiry = 'Enter the expiry date (MM/YY).';
  else if (!expiry) errors.cardExpiry = 'Enter the expiry date as MM/YY.';
  else {
    const month = Number(expiry[1]);
    const year = expiry[2]?.length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2]);
    if (month < 1 || month > 12) errors.cardExpiry = 'Enter a month from 01 to 12.';
    else if (year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) errors.cardExpiry = 'This card has expired.';
  }

  if (!input.cvc.trim()) errors.cardCvc = 'Enter the security code.';
  else if (!/^\d{3,4}$/.test(input.cvc.trim())) errors.cardCvc = 'The security code is 3 or 4 digits.';
  if (!input.name.trim()) errors.cardName = 'Enter the name on the card.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const card = TEST_CARDS.find((test) => test.number.replace(/\s/g, '') === digits);
  if (!card) return { ok: false, errors: { cardNumber: 'This shop takes test cards only. Use one of the test cards listed.' } };
  return { ok: true, token: card.token };
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
