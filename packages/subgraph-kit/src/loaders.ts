import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders in one line. The batch function just returns rows;
 * these helpers put them back in key order, which is the part people get wrong.
 * Create loaders in `createContext` so nothing is cached across requests or users.
 */

export interface LoaderOptions<K, C = K> {
  /** Largest batch sent to the database at once (e.g. to stay under parameter limits). */
  maxBatchSize?: number;
  /** For non-primitive keys: how to compare them (e.g. `(k) => `${k.a}:${k.b}``). */
  cacheKeyFn?: (key: K) => C;
}

/** Groups rows by a key: `groupBy(rows, (r) => r.userId)`. */
export function groupBy<T, K>(rows: Iterable<T>, keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Indexes rows by a unique key; a later duplicate wins. */
export function indexBy<T, K>(rows: Iterable<T>, keyOf: (row: T) => K): Map<K, T> {
  const index = new Map<K, T>();
  for (const row of rows) index.set(keyOf(row), row);
  return index;
}

function loaderOptions<K, V, C>(options: LoaderOptions<K, C>): DataLoader.Options<K, V, C> {
  const out: DataLoader.Options<K, V, C> = {};
  if (options.maxBatchSize !== undefined) out.maxBatchSize = options.maxBatchSize;
  if (options.cacheKeyFn !== undefined) out.cacheKeyFn = options.cacheKeyFn;
  return out;
}

/**
 * One row per key: `createLoader((ids) => db.user.findMany({ where: { id: { in: [...ids] } } }), (u) => u.id)`.
 * Missing keys resolve to null.
 */
export function createLoader<K, V, C = K>(
  fetch: (keys: readonly K[]) => Promise<Iterable<V>>,
  keyOf: (row: V) => K,
  options: LoaderOptions<K, C> = {},
): DataLoader<K, V | null, C> {
  const keyFn = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
  return new DataLoader<K, V | null, C>(async (keys) => {
    const index = indexBy(await fetch(keys), (row) => keyFn(keyOf(row)));
    return keys.map((key) => index.get(keyFn(key)) ?? null);
  }, loaderOptions<K, V | null, C>(options));
}

/**
 * Many rows per key: `createGroupLoader((ids) => db.review.findMany(...), (r) => r.productId)`.
 * Keys with no rows resolve to [].
 */
export function createGroupLoader<K, V, C = K>(
  fetch: (keys: readonly K[]) => Promise<Iterable<V>>,
  keyOf: (row: V) => K,
  options: LoaderOptions<K, C> = {},
): DataLoader<K, V[], C> {
  const keyFn = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
  return new DataLoader<K, V[], C>(async (keys) => {
    const groups = groupBy(await fetch(keys), (row) => keyFn(keyOf(row)));
    return keys.map((key) => groups.get(keyFn(key)) ?? []);
  }, loaderOptions<K, V[], C>(options));
}

export { DataLoader };

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

export const isPromise = <T>(value: MaybePromise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * `fn(value)`, at once when the value is already there. graphql-js completes
 * a field that returns a plain value without any promise machinery, which on
 * a listing of a thousand fields is most of its cost.
 */
export function whenReady<T, U>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(value) ? value.then(fn) : fn(value);
}

/** Every value, as a plain array when none is pending. */
export function allReady<T>(values: readonly MaybePromise<T>[]): MaybePromise<T[]> {
  return values.some(isPromise) ? Promise.all(values) : (values as T[]);
}

/**
 * A DataLoader whose loaded (and primed) values can be read synchronously:
 * `get` returns the value itself once a batch has brought it, and a promise
 * only before. A listing that loads a relation for its whole page up front
 * then resolves every field below it without a promise. Priming costs a map
 * entry, not a promise per key.
 */
export class SettledLoader<K, V, C = K> {
  readonly #settled = new Map<C, V>();
  // Keys handed to the DataLoader: like its own cache, a later prime does not change what they resolve to.
  readonly #requested = new Set<C>();
  readonly #loader: DataLoader<K, V, C>;
  readonly #keyOf: (key: K) => C;

  constructor(batch: (keys: readonly K[]) => Promise<readonly V[]>, options: LoaderOptions<K, C> = {}) {
    const keyOf = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
    this.#keyOf = keyOf;
    this.#loader = new DataLoader<K, V, C>(async (keys) => {
      const values = await batch(keys);
      for (let index = 0; index < keys.length; index++) this.#settled.set(keyOf(keys[index] as K), values[index] as V);
      return values;
    }, loaderOptions<K, V, C>(options));
  }

  #isSettled(cacheKey: C): boolean {
    return this.#settled.has(cacheKey);
  }

  /** The value when it is already loaded or primed, else a promise of it (batched like `load`). */
  get(key: K): MaybePromise<V> {
    const cacheKey = this.#keyOf(key);
    const value = this.#settled.get(cacheKey);
    if (value !== undefined || this.#isSettled(cacheKey)) return value as V;
    this.#requested.add(cacheKey);
    return this.#loader.load(key);
  }

  load(key: K): Promise<V> {
    const value = this.get(key);
    return isPromise(value) ? value : Promise.resolve(value);
  }

  /** Like DataLoader's loadMany: a failed key's error in its place. */
  loadMany(keys: readonly K[]): Promise<(V | Error)[]> {
    return Promise.all(keys.map((key) => this.load(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
  }

  /** Loads, in one batch, the keys not settled yet; errors stay for `get` and `load` to report. */
  async prefetch(keys: readonly K[]): Promise<void> {
    const pending: Promise<V>[] = [];
    for (const key of keys) {
      const value = this.get(key);
      if (isPromise(value)) pending.push(value);
    }
    if (pending.length > 0) await Promise.allSettled(pending);
  }

  /** Like DataLoader's prime: a key already loaded, asked for or primed keeps its value. */
  prime(key: K, value: V): this {
    const cacheKey = this.#keyOf(key);
    if (!this.#isSettled(cacheKey) && !this.#requested.has(cacheKey)) this.#settled.set(cacheKey, value);
    return this;
  }
}
