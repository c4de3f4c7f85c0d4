/**
 * Request authentication at the edge. A client sends the same access token on
 * every request for its whole lifetime (15 minutes by default), so the
 * signature is verified once per token and the identity remembered until the
 * token expires. Subgraphs verify the forwarded header again: the router is
 * not trusted to have done it.
 */
import { identityFromAuthorization, type Identity } from '@commerce/auth';

export interface TokenCacheOptions {
  /** Distinct tokens remembered; the least recently used are forgotten first. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class TokenCache {
  private readonly verified = new Map<string, Identity>();
  /** Concurrent first requests with one token share a single verification. */
  private readonly pending = new Map<string, Promise<Identity | null>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The caller's identity: null without an Authorization header; rejects with
   * an UNAUTHENTICATED AppError for a malformed, forged or expired token.
   */
  identify(authorization: string | undefined): Promise<Identity | null> | Identity | null {
    if (authorization === undefined || authorization === '') return null;
    const cached = this.verified.get(authorization);
    if (cached) {
      if (cached.expiresAt * 1000 > this.now()) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        this.verified.delete(authorization);
        this.verified.set(authorization, cached);
        return cached;
      }
      // Expired since it was cached: verify again so the client gets the exact "expired" error.
      this.verified.delete(authorization);
    }
    let inFlight = this.pending.get(authorization);
    if (!inFlight) {
      inFlight = identityFromAuthorization(authorization).then(
        (identity) => {
          this.pending.delete(authorization);
          if (identity) this.remember(authorization, identity);
          return identity;
        },
        (error: unknown) => {
          // Failures are not cached: they are cheap to repeat and must not pin a key.
          this.pending.delete(authorization);
          throw error;
        },
      );
      this.pending.set(authorization, inFlight);
    }
    return inFlight;
  }

  get size(): number {
    return this.verified.size;
  }

  private remember(authorization: string, identity: Identity): void {
    if (this.verified.size >= this.maxEntries) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(authorization, identity);
  }
}
