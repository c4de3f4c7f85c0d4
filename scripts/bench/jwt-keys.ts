import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnv, repoRoot } from '@commerce/config';
import { tokenFor } from '@commerce/testing';

/**
 * Benchmarked services run as in production (NODE_ENV=production), where the
 * JWT keys must come from the environment; here that is the development key
 * pair the test helpers sign tokens with (made on first use).
 */
export async function productionJwtKeys(): Promise<{ JWT_PUBLIC_KEY: string; JWT_PRIVATE_KEY: string }> {
  const fromEnv = { publicKey: readEnv('JWT_PUBLIC_KEY'), privateKey: readEnv('JWT_PRIVATE_KEY') };
  if (fromEnv.publicKey && fromEnv.privateKey) return { JWT_PUBLIC_KEY: fromEnv.publicKey, JWT_PRIVATE_KEY: fromEnv.privateKey };
  await tokenFor(); // makes the development pair if there is none yet
  const dir = readEnv('JWT_KEY_DIR', join(repoRoot(), '.cache', 'keys'));
  return {
    JWT_PUBLIC_KEY: readFileSync(join(dir, 'jwt-ed25519-public.pem'), 'utf8'),
    JWT_PRIVATE_KEY: readFileSync(join(dir, 'jwt-ed25519-private.pem'), 'utf8'),
  };
}
