import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterDataSource } from '../src/datasource.ts';
import { BufferedResponse, copyJson, createSubgraphFetcher } from '../src/fetcher.ts';

let server: Server;
let base: string;
const remotePorts: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    remotePorts.push(req.socket.remotePort ?? 0);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=5' });
        res.end(JSON.stringify({ data: { method: req.method, body, auth: req.headers.authorization ?? null } }));
      } else if (req.url === '/bad-input') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'Variable "$id" got invalid value.', extensions: { code: 'BAD_USER_INPUT' } }] }));
      } else if (req.url === '/unauthorized') {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('nope');
      } else {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<h1>Bad gateway at 10.0.0.7</h1>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('subgraph fetcher', () => {
  it('posts the body and headers and reuses one keep-alive connection', async () => {
    const fetcher = createSubgraphFetcher();
    remotePorts.length = 0;
    for (let i = 0; i < 3; i++) {
      const response = await fetcher.fetch(`${base}/echo`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"query":"{ a }"}' });
      expect(response.ok).toBe(true);
      expect(response.headers.get('Cache-Control')).toBe('max-age=5');
      expect(await response.json()).toEqual({ data: { method: 'POST', body: '{"query":"{ a }"}', auth: 'Bearer t' } });
    }
    expect(new Set(remotePorts).size).toBe(1);
    fetcher.close();
  });

  it('fails with SERVICE_UNAVAILABLE when the subgraph cannot be reached', async () => {
    const fetcher = createSubgraphFetcher();
    await expect(fetcher.fetch('http://127.0.0.1:9/graphql', { method: 'POST', body: '{}' })).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    fetcher.close();
  });
});

describe('RouterDataSource.errorFromResponse', () => {
  const fetcher = createSubgraphFetcher();
  const source = new RouterDataSource({ url: 'unused', fetcher: fetcher.fetch });
  afterAll(() => fetcher.close());

  it("keeps the subgraph's own error message and code", async () => {
    const error = await source.errorFromResponse(await fetcher.fetch(`${base}/bad-input`, { method: 'POST', body: '{}' }));
    expect(error.message).toBe('Variable "$id" got invalid value.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('maps 401 to UNAUTHENTICATED', async () => {
    const error = await source.errorFromResponse(await fetcher.fetch(`${base}/unauthorized`, { method: 'POST', body: '{}' }));
    expect(error.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('never passes on the raw body or the subgraph address', async () => {
    const error = await source.errorFromResponse(await fetcher.fetch(`${base}/other`, { method: 'POST', body: '{}' }));
    expect(error.extensions).toEqual({});
    expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toMatch(/10\.0\.0\.7|127\.0\.0\.1/);
  });
});

describe('BufferedResponse shared by several callers', () => {
  const text = '{"data":{"__proto__":{"x":1},"2":"b","1":"a","list":[1,[2,{"é":null}],true],"n":-0.5}}';

  it('copies parse results exactly as parsing again would', () => {
    const parsed: unknown = JSON.parse(text);
    const copy = copyJson(parsed) as { data: Record<string, unknown> };
    expect(copy).toEqual(parsed);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
    // "__proto__" stays a plain own property, not the prototype.
    expect(Object.getPrototypeOf(copy.data)).toBe(Object.prototype);
    expect(Object.hasOwn(copy.data, '__proto__')).toBe(true);
  });

  it('gives every reader its own object, parsed once or not', async () => {
    for (const readers of [undefined, 1, 3]) {
      const response = new BufferedResponse('u', 200, 'OK', {}, Buffer.from(text));
      if (readers !== undefined) response.readBy(() => readers);
      const [a, b] = [await response.clone().json(), await response.clone().json()] as { data: { list: unknown[] } }[];
      expect(a).toEqual(JSON.parse(text));
      expect(b).toEqual(a);
      a?.data.list.push('changed');
      expect(b?.data.list).toHaveLength(3);
    }
  });
});
