import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { importPKCS8, importSPKI, type CryptoKey } from 'jose';
import { isProduction, readEnv, repoRoot } from '@commerce/config';

/**
 * Access tokens are signed with Ed25519 (EdDSA). Only the users subgraph holds
 * the private key; the router and every subgraph verify with the public key,
 * so no service can mint identities it was merely handed.
 *
 * Keys come from JWT_PRIVATE_KEY / JWT_PUBLIC_KEY (PEM). Outside production a
 * key pair is generated once under .cache/keys so a fresh clone just works.
 */
export const JWT_ALGORITHM = 'EdDSA';

interface PemPair {
  privateKey: string;
  publicKey: string;
}

function devKeyPair(): PemPair {
  if (isProduction()) {
    throw new Error('JWT_PUBLIC_KEY (and JWT_PRIVATE_KEY for the users subgraph) must be set in production.');
  }
  const dir = readEnv('JWT_KEY_DIR', join(repoRoot(), '.cache', 'keys'));
  const privatePath = join(dir, 'jwt-ed25519-private.pem');
  const publicPath = join(dir, 'jwt-ed25519-public.pem');
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true });
    const pair = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    // Write both halves beside each other, then publish the private key with
    // link(), which fails if another process won the race; its pair stands.
    const tmp = join(dir, `.tmp-${randomUUID()}`);
    writeFileSync(`${tmp}.pub`, pair.publicKey, { mode: 0o644 });
    writeFileSync(tmp, pair.privateKey, { mode: 0o600 });
    try {
      linkSync(tmp, privatePath);
      renameSync(`${tmp}.pub`, publicPath);
    } catch {
      unlinkSync(`${tmp}.pub`);
    } finally {
      unlinkSync(tmp);
    }
  }
  // The public half may lag the private one by a moment in a race.
  for (let attempt = 0; !existsSync(publicPath) && attempt < 50; attempt++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return { privateKey: readFileSync(privatePath, 'utf8'), publicKey: readFileSync(publicPath, 'utf8') };
}

const pem = (value: string): string => value.replace(/\\n/g, '\n');

let verificationKey: Promise<CryptoKey> | undefined;
let signingKey: Promise<CryptoKey> | undefined;

export function getVerificationKey(): Promise<CryptoKey> {
  verificationKey ??= (async () => {
    const fromEnv = readEnv('JWT_PUBLIC_KEY');
    return importSPKI(fromEnv ? pem(fromEnv) : devKeyPair().publicKey, JWT_ALGORITHM);
  })();
  return verificationKey;
}

export function getSigningKey(): Promise<CryptoKey> {
  signingKey ??= (async () => {
    const fromEnv = readEnv('JWT_PRIVATE_KEY');
    return importPKCS8(fromEnv ? pem(fromEnv) : devKeyPair().privateKey, JWT_ALGORITHM);
  })();
  return signingKey;
}
