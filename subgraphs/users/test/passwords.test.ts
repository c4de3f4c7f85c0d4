import { describe, expect, it } from 'vitest';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  needsRehash,
  passwordPolicyViolation,
  verifyPassword,
} from '../src/service/passwords.js';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from '../src/service/refresh-tokens.js';

describe('password hashing', () => {
  it('stores scrypt parameters, salt and key in the hash string', async () => {
    const hash = await hashPassword('correct-horse-42');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('uses a fresh salt per hash and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct-horse-42'), hashPassword('correct-horse-42')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct-horse-42', a)).toBe(true);
    expect(await verifyPassword('correct-horse-43', a)).toBe(false);
  });

  it('treats canonically equivalent Unicode as the same password', async () => {
    const hash = await hashPassword('caf\u00e9-latte-42');
    expect(await verifyPassword('cafe\u0301-latte-42', hash)).toBe(true);
  });

  it('verifies hashes made with other (cheaper) parameters and flags them for rehash', async () => {
    const cheap = await hashPassword('correct-horse-42', { N: 2 ** 10, r: 8, p: 1 });
    expect(await verifyPassword('correct-horse-42', cheap)).toBe(true);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(await hashPassword('correct-horse-42'))).toBe(false);
  });

  it('rejects malformed or hostile stored hashes without throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA', `scrypt$${2 ** 30}$8$1$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`]) {
      expect(await verifyPassword('correct-horse-42', stored)).toBe(false);
    }
  });

  it('has a dummy hash that costs a real verification and matches nothing', async () => {
    expect(DUMMY_PASSWORD_HASH.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['short1!', /at least 10/],
    ['abcdefghijkl', /digit or a symbol/],
    ['1234567890!!', /letter/],
    ['a1'.repeat(101), /at most 200/],
  ])('rejects %s', (password, message) => {
    expect(passwordPolicyViolation(password)).toMatch(message);
  });

  it.each(['correct-horse-42', 'abcdefghij1', 'längeres passwort!', 'пароль-надёжный'])('accepts %s', (password) => {
    expect(passwordPolicyViolation(password)).toBeNull();
  });
});

describe('refresh tokens', () => {
  it('are 32 random bytes in base64url, stored only as their SHA-256', () => {
    const issued = newRefreshToken(new Date('2026-01-01T00:00:00Z'));
    expect(looksLikeRefreshToken(issued.token)).toBe(true);
    expect(issued.tokenHash).toBe(hashRefreshToken(issued.token));
    expect(issued.tokenHash).not.toContain(issued.token);
    expect(issued.expiresAt.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });
});
