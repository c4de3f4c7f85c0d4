import { describe, expect, it } from 'vitest';
import { allReady, isPromise, SettledLoader, whenReady } from '../src/index.js';

describe('SettledLoader', () => {
  it('batches like a DataLoader, then hands loaded values over without a promise', async () => {
    const batches: string[][] = [];
    const loader = new SettledLoader<string, string>(async (keys) => {
      batches.push([...keys]);
      return keys.map((key) => key.toUpperCase());
    });
    const first = loader.get('a');
    const second = loader.get('b');
    expect(isPromise(first)).toBe(true);
    expect(await Promise.all([first, second])).toEqual(['A', 'B']);
    expect(batches).toEqual([['a', 'b']]);
    expect(loader.get('a')).toBe('A');
    expect(await loader.load('b')).toBe('B');
    expect(batches).toHaveLength(1);
  });

  it('serves primed values at once and keeps the first value of a key, as DataLoader does', async () => {
    const loader = new SettledLoader<string, string | null>(async (keys) => keys.map(() => 'loaded'));
    loader.prime('x', null);
    loader.prime('x', 'second');
    expect(loader.get('x')).toBeNull();
    expect(await loader.load('x')).toBeNull();
  });

  it('does not let a prime change a key already asked for', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loader = new SettledLoader<string, string>(async (keys) => {
      await gate;
      return keys.map(() => 'from the batch');
    });
    const pending = loader.get('k');
    loader.prime('k', 'primed late');
    release();
    expect(await pending).toBe('from the batch');
    expect(loader.get('k')).toBe('from the batch');
  });

  it('prefetches only what is not settled, in one batch', async () => {
    const batches: string[][] = [];
    const loader = new SettledLoader<string, string>(async (keys) => {
      batches.push([...keys]);
      return [...keys];
    });
    loader.prime('a', 'a');
    await loader.prefetch(['a', 'b', 'c']);
    await loader.prefetch(['a', 'b']);
    expect(batches).toEqual([['b', 'c']]);
    expect(loader.get('c')).toBe('c');
    expect(await loader.loadMany(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('uses the cache key function for object keys', async () => {
    const loader = new SettledLoader<{ id: string; page: number }, string, string>(
      async (keys) => keys.map((key) => `${key.id}:${key.page}`),
      { cacheKeyFn: (key) => `${key.id}/${key.page}` },
    );
    await loader.loadMany([{ id: 'a', page: 1 }]);
    expect(loader.get({ id: 'a', page: 1 })).toBe('a:1');
    expect(isPromise(loader.get({ id: 'a', page: 2 }))).toBe(true);
  });

  it('leaves a failed batch to its callers, settling nothing', async () => {
    const loader = new SettledLoader<string, string>(async () => {
      throw new Error('down');
    });
    await expect(loader.load('a')).rejects.toThrow('down');
    const again = loader.get('a');
    expect(isPromise(again)).toBe(true);
    await expect(again).rejects.toThrow('down');
  });
});

describe('whenReady and allReady', () => {
  it('stay synchronous for plain values and follow promises otherwise', async () => {
    expect(whenReady(2, (n) => n * 3)).toBe(6);
    expect(allReady([1, 2])).toEqual([1, 2]);
    const later = whenReady(Promise.resolve(2), (n) => n * 3);
    expect(isPromise(later)).toBe(true);
    expect(await later).toBe(6);
    expect(await allReady([1, Promise.resolve(2)])).toEqual([1, 2]);
  });
});
