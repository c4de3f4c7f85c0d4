/**
 * A short-lived cache of browse aggregates (total and facet counts of a
 * query without text). Without text the matched set is the whole catalog or
 * a whole category tree, and counting it costs scans of the read model
 * (~100–300 ms on 100,000 products); storefront category pages ask for the
 * same few filter combinations over and over. The page of results itself is
 * never cached.
 *
 * - An entry is fresh for `ttlMs` (default 1 s, the same bound as the read
 *   model's eventual consistency). Concurrent requests share one computation.
 * - Stale-while-revalidate: a request for an entry older than `ttlMs` but
 *   younger than `maxStaleMs` (default 10 s) gets the stale value at once and
 *   starts one background refresh, so steady traffic never waits for a
 *   recount; older entries are recomputed before answering.
 * - Failures are never cached; beyond `maxEntries` the oldest go first.
 * One cache per subgraph process; `ttlMs: 0` turns it off.
 */
export interface BrowseCacheOptions {
  ttlMs?: number;
  maxStaleMs?: number;
  maxEntries?: number;
}

export const DEFAULT_BROWSE_CACHE_TTL_MS = 1_000;

interface Entry<V> {
  /** The computation; resolves to the value. */
  pending: Promise<V>;
  /** The value, once computed. */
  value?: { v: V };
  computedAt: number;
  refreshing: boolean;
}

export class BrowseCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;

  constructor(options: BrowseCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_BROWSE_CACHE_TTL_MS;
    this.maxStaleMs = Math.max(this.ttlMs, options.maxStaleMs ?? 10 * this.ttlMs);
    this.maxEntries = options.maxEntries ?? 1_000;
  }

  /** The cached value for `key`, or `compute()`'s. */
  get(key: string, compute: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return compute();
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry) {
      const age = now - entry.computedAt;
      if (age < this.ttlMs) return entry.pending;
      if (entry.value && age < this.maxStaleMs) {
        if (!entry.refreshing) this.refresh(key, entry, compute);
        return Promise.resolve(entry.value.v);
      }
    }
    return this.start(key, compute, now).pending;
  }

  clear(): void {
    this.entries.clear();
  }

  private start(key: string, compute: () => Promise<V>, now: number): Entry<V> {
    const entry: Entry<V> = { pending: compute(), computedAt: now, refreshing: false };
    entry.pending.then(
      (v) => {
        entry.value = { v };
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return entry;
  }

  /** Recomputes in the background; the stale entry keeps answering until the new value is in. */
  private refresh(key: string, stale: Entry<V>, compute: () => Promise<V>): void {
    stale.refreshing = true;
    const started = Date.now();
    compute().then(
      (v) => {
        if (this.entries.get(key) !== stale) return;
        this.entries.delete(key);
        this.entries.set(key, { pending: Promise.resolve(v), value: { v }, computedAt: started, refreshing: false });
      },
      () => {
        stale.refreshing = false;
      },
    );
  }
}
