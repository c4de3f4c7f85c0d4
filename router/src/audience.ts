import type { Identity } from '@commerce/auth';

/**
 * Who an answer may be shared with. Anonymous callers and shoppers (only the
 * CUSTOMER role) see the same public catalog; anyone else (admins) may see
 * drafts and archived products, so their answers are never shared.
 */
export type Audience = 'anonymous' | 'shopper' | 'other';

export function audienceOf(identity: Identity | null): Audience {
  if (identity === null) return 'anonymous';
  return identity.roles.length > 0 && identity.roles.every((role) => role === 'CUSTOMER') ? 'shopper' : 'other';
}
