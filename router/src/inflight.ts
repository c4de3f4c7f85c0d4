/**
 * Identical work in flight at the same moment, done once: the first caller of
 * a key starts it, later callers of the same key get the same promise until
 * it settles (value or error), and the key is forgotten as soon as it does.
 * Nothing is kept after that: this is not a cache.
 */
export class InflightRequests<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** How many distinct keys are in flight now. */
  get size(): number {
    return this.pending.size;
  }

  /** The promise of the call already in flight for `key`, or of a new `start()`. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    const existing = this.pending.get(key);
    if (existing) return existing;
    const started = start();
    this.pending.set(key, started);
    const forget = (): void => {
      // A later call under the same key may have replaced ours only after we settled; never remove that one.
      if (this.pending.get(key) === started) this.pending.delete(key);
    };
    started.then(forget, forget);
    return started;
  }
}
