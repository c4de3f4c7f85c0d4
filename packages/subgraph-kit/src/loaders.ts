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
