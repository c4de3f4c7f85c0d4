/**
 * Identical work in flight at the same moment, done once: the first caller of
 * a key starts it, later callers of the same key get the same promise until
 * it settles (value or error), and the key is forgotten as soon as it does.
 * Nothing is kept after that: this is not a cache.
 */
export class InflightRequests<T> {
  private readonly pending = new Map<string, { promise: Promise<T>; callers: number }>();

  /** How many distinct keys are in flight now. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * The promise of the call already in flight for `key`, or of a new
   * `start()`. `start` is told how to count the callers sharing it so far
   * (the answer can still grow until the call settles).
   */
  run(key: string, start: (callers: () => number) => Promise<T>): Promise<T> {
    const existing = this.pending.get(key);
    if (existing) {
      existing.callers += 1;
      return existing.promise;
    }
    const entry = { promise: undefined as unknown as Promise<T>, callers: 1 };
    entry.promise = start(() => entry.callers);
    this.pending.set(key, entry);
    const forget = (): void => {
      // A later call under the same key may have replaced ours only after we settled; never remove that one.
      if (this.pending.get(key) === entry) this.pending.delete(key);
    };
    entry.promise.then(forget, forget);
    return entry.promise;
  }
}
