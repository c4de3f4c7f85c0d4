import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError, ErrorCode } from '@commerce/errors';

/**
 * Password hashing and the password policy. Pure functions, no database.
 *
 * Hashes use scrypt with a per-user random salt and are stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later
 * without breaking existing hashes: verification reads the parameters from
 * the stored string, and `needsRehash` tells login to upgrade old ones.
 */

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** 2^15 with r=8 uses 32 MiB per hash, the OWASP-recommended minimum for scrypt. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

// Bounds for parameters read back from the database: a corrupted or hostile
// hash string must not make one login burn gigabytes of memory.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node's default maxmem (32 MiB) is exactly 128*N*r at N=2^15, r=8 and is
    // rejected; allow headroom for the largest accepted parameters.
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Unicode text that looks the same should hash the same (NIST SP 800-63B),
 * e.g. a precomposed "é" typed on one keyboard and "e" + combining accent on another.
 */
const normalize = (password: string): string => password.normalize('NFKC');

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(normalize(password), salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((part) => Number(part));
  if (N === undefined || r === undefined || p === undefined) return null;
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N) return null;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

/** Constant-time comparison; false for a malformed stored hash rather than an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await scrypt(normalize(password), parsed.salt, parsed.params);
  return candidate.length === parsed.key.length && timingSafeEqual(candidate, parsed.key);
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/**
 * A syntactically valid hash no password matches (its key is random and
 * never derived). Verifying against it costs the same scrypt work as a real
 * check, so a login for an unknown email takes as long as a wrong password.
 */
export const DUMMY_PASSWORD_HASH = [
  'scrypt',
  DEFAULT_SCRYPT_PARAMS.N,
  DEFAULT_SCRYPT_PARAMS.r,
  DEFAULT_SCRYPT_PARAMS.p,
  randomBytes(SALT_BYTES).toString('base64url'),
  randomBytes(KEY_BYTES).toString('base64url'),
].join('$');

/**
 * Policy: 10 to 200 characters, at least one letter and at least one digit or
 * symbol. Length counts code points, so an emoji is one character. The upper
 * bound keeps hashing cost predictable.
 */
export function passwordPolicyViolation(password: string): string | null {
  const length = [...normalize(password)].length;
  if (length < PASSWORD_MIN_LENGTH) return `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (!/\p{L}/u.test(password)) return 'The password must contain a letter.';
  if (!/[^\p{L}\s]/u.test(password)) return 'The password must contain a digit or a symbol.';
  return null;
}

export function assertPasswordPolicy(password: string): void {
  const violation = passwordPolicyViolation(password);
  if (violation) throw new AppError(ErrorCode.WEAK_PASSWORD, violation, { details: { field: 'password' } });
}
