/**
 * Anonymous cart tokens: 32 random bytes (base64url), shown to the shopper
 * once by createCart. Only their SHA-256 is stored, so a leaked Redis dump
 * opens no cart; comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newCartToken = (): string => randomBytes(32).toString('base64url');

export const hashCartToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function tokenMatches(token: string | null | undefined, hash: string | null | undefined): boolean {
  if (!token || !hash || token.length > 200) return false;
  const actual = Buffer.from(hashCartToken(token), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
