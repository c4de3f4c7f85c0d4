import { describe, expect, it, vi } from 'vitest';
import { AppError } from '@commerce/errors';
import {
  clampFirst,
  createGroupLoader,
  createLoader,
  DateTimeScalar,
  decodeCursor,
  encodeCursor,
  groupBy,
  installSignalHandlers,
  toConnection,
} from '../src/index.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
};

describe('cursors', () => {
  it('round-trips sort keys', () => {
    const cursor = encodeCursor(['2024-01-01T00:00:00.000Z', 'abc', 3]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(['2024-01-01T00:00:00.000Z', 'abc', 3]);
  });

  it('rejects garbage with INVALID_CURSOR', () => {
    for (const bad of ['', '!!!', 'e30', Buffer.from('"str"').toString('base64url'), encodeCursor([]), 'a'.repeat(2000)]) {
      expect(codeOf(() => decodeCursor(bad)), bad).toBe('INVALID_CURSOR');
    }
  });
});

describe('clampFirst', () => {
  it('defaults, caps and rejects negatives', () => {
    expect(clampFirst(undefined)).toBe(20);
    expect(clampFirst(null, 10)).toBe(10);
    expect(clampFirst(500)).toBe(100);
    expect(clampFirst(5, 3)).toBe(3);
    expect(clampFirst(0)).toBe(0);
    expect(codeOf(() => clampFirst(-1))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => clampFirst(1.5))).toBe('BAD_USER_INPUT');
  });
});

describe('toConnection', () => {
  const cursorOf = (n: number) => encodeCursor([n]);
  it('uses the extra row only to tell hasNextPage', () => {
    const page = toConnection([1, 2, 3], 2, cursorOf);
    expect(page.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: cursorOf(1), endCursor: cursorOf(2) });
  });
  it('handles the last and empty pages', () => {
    expect(toConnection([1], 2, cursorOf).pageInfo.hasNextPage).toBe(false);
    expect(toConnection([], 2, cursorOf)).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });
});

describe('loaders', () => {
  it('batches keys and answers in key order, null when missing', async () => {
    const fetch = vi.fn(async (ids: readonly string[]) => [{ id: 'b' }, { id: 'a' }].filter((r) => ids.includes(r.id)));
    const loader = createLoader(fetch, (row) => row.id);
    expect(await Promise.all([loader.load('a'), loader.load('zz'), loader.load('b')])).toEqual([{ id: 'a' }, null, { id: 'b' }]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toEqual(['a', 'zz', 'b']);
  });

  it('groups many rows per key, [] when missing', async () => {
    const loader = createGroupLoader(
      async () => [
        { productId: 'p1', stars: 5 },
        { productId: 'p1', stars: 3 },
        { productId: 'p2', stars: 4 },
      ],
      (row) => row.productId,
    );
    const [p1, p3, p2] = await Promise.all([loader.load('p1'), loader.load('p3'), loader.load('p2')]);
    expect(p1.map((r) => r.stars)).toEqual([5, 3]);
    expect(p3).toEqual([]);
    expect(p2).toHaveLength(1);
  });

  it('compares composite keys through cacheKeyFn', async () => {
    const loader = createLoader(
      async (keys: readonly { a: string; b: number }[]) => keys.map((k) => ({ ...k, v: `${k.a}${k.b}` })),
      (row) => ({ a: row.a, b: row.b }),
      { cacheKeyFn: (k) => `${k.a}:${k.b}` },
    );
    expect((await loader.load({ a: 'x', b: 1 }))?.v).toBe('x1');
  });

  it('groupBy keeps insertion order', () => {
    expect([...groupBy([1, 2, 3, 4], (n) => n % 2).entries()]).toEqual([
      [1, [1, 3]],
      [0, [2, 4]],
    ]);
  });
});

describe('DateTimeScalar', () => {
  it('serializes dates, ISO strings and epoch millis to ISO UTC', () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2024, 0, 31, 12)))).toBe('2024-01-31T12:00:00.000Z');
    expect(DateTimeScalar.serialize('2024-01-31T13:00:00+01:00')).toBe('2024-01-31T12:00:00.000Z');
    expect(DateTimeScalar.serialize(0)).toBe('1970-01-01T00:00:00.000Z');
  });
  it('parses zoned ISO strings and rejects the rest with BAD_USER_INPUT', () => {
    expect(DateTimeScalar.parseValue('2024-01-31T12:00:00Z')).toEqual(new Date(Date.UTC(2024, 0, 31, 12)));
    for (const bad of ['2024-01-31', '2024-01-31T12:00:00', 'yesterday', 12, '2024-13-45T99:00:00Z']) {
      expect(codeOf(() => DateTimeScalar.parseValue(bad)), String(bad)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('installSignalHandlers', () => {
  it('stops everything on SIGTERM, then exits 0', async () => {
    const stopped: string[] = [];
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const uninstall = installSignalHandlers(
      [
        { name: 'a', stop: async () => void stopped.push('a') },
        { name: 'b', stop: async () => void stopped.push('b') },
      ],
      { exit: (code) => exited(code) },
    );
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(await exitCode).toBe(0);
      expect(stopped.sort()).toEqual(['a', 'b']);
    } finally {
      uninstall();
    }
  });

  it('ignores the same Ctrl-C delivered twice, but a later second signal forces exit', async () => {
    const exits: number[] = [];
    let finishStop: () => void = () => {};
    const stopping = new Promise<void>((resolve) => (finishStop = resolve));
    const uninstall = installSignalHandlers({ name: 'slow', stop: () => stopping }, { exit: (code) => void exits.push(code), duplicateWindowMs: 200 });
    try {
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT'); // the terminal's and the relayed copy of one Ctrl-C
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exits).toEqual([]); // still draining
      await new Promise((resolve) => setTimeout(resolve, 250));
      process.emit('SIGINT', 'SIGINT'); // a person pressing Ctrl-C again
      expect(exits).toEqual([1]);
      finishStop();
    } finally {
      uninstall();
    }
  });

  it('exits 1 when a server fails to stop', async () => {
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const uninstall = installSignalHandlers({ name: 'x', stop: async () => Promise.reject(new Error('stuck')) }, { exit: (code) => exited(code) });
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(await exitCode).toBe(1);
    } finally {
      uninstall();
    }
  });
});
