import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@commerce/observability';
import { createHttpServer, type HttpServer, PayloadTooLarge, readBody, readGraphQLBody, requestIdOf, sendJson } from '../src/index.ts';

const logger = createLogger({ service: 'http-server-test', level: 'silent' });
const running: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function start(options: Partial<Parameters<typeof createHttpServer>[0]> = {}): Promise<{ http: HttpServer; base: string }> {
  const http = createHttpServer({
    logger,
    handle: async (req, res, { path, search }) => {
      if (path === '/echo') {
        const body = await readBody(req, 16).catch((error: unknown) => error);
        if (body instanceof PayloadTooLarge) return sendJson(res, 413, { code: body.code }, { connection: 'close' });
        return sendJson(res, 200, { body: String(body), search, requestId: requestIdOf(req) });
      }
      if (path === '/graphql') {
        const read = await readGraphQLBody(req, res, 64);
        if (!read.answered) sendJson(res, 200, { body: read.body });
        return;
      }
      if (path === '/boom') throw new Error('secret at db-7');
      sendJson(res, 404, { error: 'Not found' });
    },
    ...options,
  });
  running.push(http);
  const port = await http.listen(0, '127.0.0.1');
  return { http, base: `http://127.0.0.1:${port}` };
}

describe('createHttpServer', () => {
  it('keeps sockets longer than clients do, and header reads longer than that', async () => {
    const { http } = await start();
    expect(http.server.keepAliveTimeout).toBe(65_000);
    expect(http.server.headersTimeout).toBeGreaterThan(http.server.keepAliveTimeout);
  });

  it('serves the handler with path and query, and keeps a sane request id', async () => {
    const { base } = await start();
    const ok = await fetch(`${base}/echo?a=1`, { method: 'POST', body: 'hi', headers: { 'x-request-id': 'req-1' } });
    expect(await ok.json()).toEqual({ body: 'hi', search: 'a=1', requestId: 'req-1' });
    const odd = await fetch(`${base}/echo`, { method: 'POST', body: 'hi', headers: { 'x-request-id': 'no spaces allowed' } });
    expect(((await odd.json()) as { requestId: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('bounds bodies, and answers GraphQL bodies it cannot parse itself', async () => {
    const { base } = await start();
    const big = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(100) });
    expect(big.status).toBe(413);
    const tooBig = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(100)}"` });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('connection')).toBe('close');
    expect(await tooBig.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    const bad = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const json = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/graphql-response+json' }, body: '{"query":"{ a }"}' });
    expect(await json.json()).toEqual({ body: { query: '{ a }' } });
  });

  it('answers a throwing handler with a 500 that tells nothing', async () => {
    const { base } = await start();
    const broken = await fetch(`${base}/boom`);
    expect(broken.status).toBe(500);
    const text = await broken.text();
    expect(text).not.toMatch(/secret|db-7/);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  it('answers /health always and /ready by its check', async () => {
    let healthy = false;
    const { base } = await start({
      ready: async () => {
        if (!healthy) throw new Error('database unreachable');
      },
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const notReady = await fetch(`${base}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not_ready' });
    healthy = true;
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: 'ready' });
  });

  it('stops being ready first, lets in-flight requests finish, then closes', async () => {
    let release: () => void = () => {};
    const events: string[] = [];
    const http = createHttpServer({
      logger,
      shutdownDelayMs: 200,
      handle: async (_req, res) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        sendJson(res, 200, { done: true });
      },
    });
    const port = await http.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const slow = fetch(`${base}/slow`).then((response) => response.json());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(http.inFlight).toBe(1);
    const stopped = http.stop({ beforeClose: async () => void events.push('beforeClose') }).then(() => events.push('stopped'));
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(await ready.json()).toEqual({ status: 'shutting_down' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual(['beforeClose']);
    release();
    expect(await slow).toEqual({ done: true });
    await stopped;
    expect(events).toEqual(['beforeClose', 'stopped']);
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
