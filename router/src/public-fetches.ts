/**
 * Which subgraph fetches are public: the subgraph answered this exact request
 * body with `Cache-Control: public, max-age>0`, its promise that the answer
 * does not depend on who asks. A signed-in shopper's fetch known public is
 * sent without the token, so it equals the anonymous one and shares an
 * identical call in flight (inflight.ts) with every other shopper's.
 *
 * Only the fact is remembered, for as long as the subgraph's max-age (at most
 * a minute), never an answer: this is de-duplication, not a cache. Admins
 * never take part (audienceOf: their answers may hold drafts), and an answer
 * that turns private (a dynamic hint) is forgotten at once.
 */
import type { Identity } from '@commerce/auth';
import { audienceOf, publicMaxAge } from './audience.ts';

const MAX_REMEMBER_MS = 60_000;

export class PublicFetches {
  /** Request body → when the knowledge expires (ms since the epoch). */
  private readonly until = new Map<string, number>();

  constructor(private readonly maxEntries = 1_000) {}

  get size(): number {
    return this.until.size;
  }

  /** True when `identity` is a shopper and `body` was last answered public, within its max-age. */
  sendsAnonymously(identity: Identity | null, body: string): boolean {
    if (audienceOf(identity) !== 'shopper') return false;
    const expires = this.until.get(body);
    if (expires === undefined) return false;
    if (Date.now() < expires) return true;
    this.until.delete(body);
    return false;
  }

  /** Learns from a subgraph's answer to an anonymous caller or a shopper (never an admin). */
  learn(identity: Identity | null, body: string, answer: { status: number; headers: { get(name: string): string | null } }): void {
    if (audienceOf(identity) === 'other') return;
    const maxAge = answer.status === 200 ? publicMaxAge(answer.headers.get('cache-control') ?? '') : null;
    if (maxAge === null) {
      this.until.delete(body);
      return;
    }
    if (!this.until.has(body) && this.until.size >= this.maxEntries) {
      // Oldest first (Map keeps insertion order): the listing pages in use are re-learnt at once.
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
    this.until.set(body, Date.now() + Math.min(maxAge * 1000, MAX_REMEMBER_MS));
  }
}
