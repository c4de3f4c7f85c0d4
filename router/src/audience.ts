import type { Identity } from '@commerce/auth';

/**
 * Who an answer may be shared with. Anonymous callers and shoppers (only the
 * CUSTOMER role) see the same public catalog; anyone else (admins) may see
 * drafts and archived products, so their answers are never shared.
 */
export type Audience = 'anonymous' | 'shopper' | 'other';

const MAX_AGE = /(?:^|,)\s*max-age=(\d+)/;

/**
 * A subgraph answer's shared lifetime in seconds: its Cache-Control says
 * `public` (not `private` or `no-store`) with max-age > 0; null otherwise.
 */
export function publicMaxAge(cacheControl: string): number | null {
  const maxAge = Number(MAX_AGE.exec(cacheControl)?.[1] ?? 0);
  return /\bpublic\b/.test(cacheControl) && !/\b(?:private|no-store)\b/.test(cacheControl) && maxAge > 0 ? maxAge : null;
}

export function audienceOf(identity: Identity | null): Audience {
  if (identity === null) return 'anonymous';
  return identity.roles.length > 0 && identity.roles.every((role) => role === 'CUSTOMER') ? 'shopper' : 'other';
}
