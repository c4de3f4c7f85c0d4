import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { identityFromAuthorization, signAccessToken, verifyAccessToken } from './index.js';

describe('access tokens', () => {
  it('round-trips a signed identity', async () => {
    const { token } = await signAccessToken({ userId: 'u1', email: 'a@example.com', roles: ['CUSTOMER'] });
    const identity = await verifyAccessToken(token);
    expect(identity).toMatchObject({ userId: 'u1', email: 'a@example.com', roles: ['CUSTOMER'] });
  });

  it('rejects an expired token with UNAUTHENTICATED / TOKEN_EXPIRED', async () => {
    const { token } = await signAccessToken({ userId: 'u1', email: 'a@example.com', roles: [] }, -10);
    await expect(verifyAccessToken(token)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' },
    });
  });

  it('rejects a token signed by another key, even with admin claims', async () => {
    const other = generateKeyPairSync('ed25519');
    const forged = await new SignJWT({ email: 'x@example.com', roles: ['ADMIN'] })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('attacker')
      .setIssuer('commerce-users')
      .setAudience('commerce')
      .setExpirationTime('5m')
      .sign(other.privateKey);
    await expect(verifyAccessToken(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('treats a missing header as anonymous and a malformed one as an error', async () => {
    await expect(identityFromAuthorization(undefined)).resolves.toBeNull();
    await expect(identityFromAuthorization('Basic abc')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
