import { describe, expect, it } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { TokenCache } from '../src/auth.ts';

const subject = { userId: 'u1', email: 'ada@example.com', roles: ['CUSTOMER'] as const };

describe('TokenCache', () => {
  it('treats a missing header as anonymous', () => {
    expect(new TokenCache().identify(undefined)).toBeNull();
  });

  it('verifies a token once and serves it from memory afterwards', async () => {
    const cache = new TokenCache();
    const { token } = await signAccessToken(subject);
    const first = await cache.identify(`Bearer ${token}`);
    expect(first).toMatchObject({ userId: 'u1', roles: ['CUSTOMER'] });
    // A hit is synchronous: no promise, no signature check.
    const second = cache.identify(`Bearer ${token}`);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
  });

  it('shares one verification between concurrent first requests', async () => {
    const cache = new TokenCache();
    const { token } = await signAccessToken(subject);
    const a = cache.identify(`Bearer ${token}`);
    const b = cache.identify(`Bearer ${token}`);
    expect(a).toBe(b);
    await a;
    expect(cache.size).toBe(1);
  });

  it('stops serving a cached identity once the token expires', async () => {
    let now = Date.now();
    const cache = new TokenCache({ now: () => now });
    const { token } = await signAccessToken(subject, 60);
    await cache.identify(`Bearer ${token}`);
    now += 61_000;
    // The cache re-verifies; the real clock says the token is still valid, so it is cached again.
    const again = cache.identify(`Bearer ${token}`);
    expect(again).toBeInstanceOf(Promise);
    await expect(again).resolves.toMatchObject({ userId: 'u1' });
  });

  it('does not cache failures', async () => {
    const cache = new TokenCache();
    await expect(cache.identify('Bearer nope')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(cache.size).toBe(0);
  });

  it('forgets the least recently used token when full', async () => {
    const cache = new TokenCache({ maxEntries: 2 });
    const tokens = await Promise.all([1, 2, 3].map((n) => signAccessToken({ ...subject, userId: `u${n}` })));
    const [t1, t2, t3] = tokens.map((t) => `Bearer ${t.token}`) as [string, string, string];
    await cache.identify(t1);
    await cache.identify(t2);
    cache.identify(t1); // t1 is now the most recently used
    await cache.identify(t3);
    expect(cache.size).toBe(2);
    expect(cache.identify(t1)).not.toBeInstanceOf(Promise);
    expect(cache.identify(t2)).toBeInstanceOf(Promise);
  });
});
