import { describe, expect, it } from 'vitest';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import {
  createLogger,
  currentTraceContext,
  currentTraceparent,
  getFinishedSpans,
  initTelemetry,
  parseTraceparent,
  resetFinishedSpans,
  shutdownTelemetry,
  telemetryStatus,
} from '../src/index.js';

// `node:http` is imported above, before the SDK starts: initTelemetry must still
// patch it (ESM apps load http early; see the require() in telemetry.ts).
const status = initTelemetry({ serviceName: 'telemetry-test', mode: 'memory' });

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('initTelemetry (memory exporter)', () => {
  it('starts once per process', () => {
    expect(status).toEqual({ mode: 'memory', serviceName: 'telemetry-test' });
    expect(initTelemetry({ serviceName: 'other' })).toEqual({ mode: 'memory', serviceName: 'telemetry-test' });
    expect(telemetryStatus().mode).toBe('memory');
  });

  it('continues the caller trace on incoming requests and propagates it on outgoing ones', async () => {
    resetFinishedSpans();
    let seenDownstream: IncomingHttpHeaders = {};
    const downstream = createServer((req, res) => {
      seenDownstream = req.headers;
      res.end('ok');
    });
    const downstreamPort = await listen(downstream);

    let upstreamTraceparent: string | undefined;
    const upstream = createServer((req, res) => {
      upstreamTraceparent = currentTraceparent(req.headers);
      void get(downstreamPort, '/work').then((body) => res.end(body));
    });
    const upstreamPort = await listen(upstream);

    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    try {
      // The caller uses fetch (undici), which the http instrumentation does not patch: with
      // http.request the test's own client span would replace the traceparent we pass.
      const response = await fetch(`http://127.0.0.1:${upstreamPort}/graphql`, {
        headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
      });
      expect(await response.text()).toBe('ok');
    } finally {
      upstream.close();
      downstream.close();
    }

    const downstreamParent = parseTraceparent(seenDownstream.traceparent as string | undefined);
    expect(downstreamParent?.traceId).toBe(callerTraceId);
    expect(downstreamParent?.spanId).not.toBe(callerSpanId);

    const spans = getFinishedSpans().filter((s) => s.spanContext().traceId === callerTraceId);
    const upstreamServer = spans.find((s) => s.kind === 1 /* SERVER */ && s.parentSpanContext?.spanId === callerSpanId);
    expect(upstreamServer?.parentSpanContext?.spanId).toBe(callerSpanId);
    // Inside the request, currentTraceparent() is our server span, not the caller's.
    expect(parseTraceparent(upstreamTraceparent)?.spanId).toBe(upstreamServer?.spanContext().spanId);
    // server (upstream) + client (outgoing) + server (downstream), all one trace.
    expect(spans.length).toBeGreaterThanOrEqual(3);
    expect(spans.every((s) => s.resource.attributes['service.name'] === 'telemetry-test')).toBe(true);
  });

  it('does not trace health probes', async () => {
    resetFinishedSpans();
    const server = createServer((_req, res) => res.end('ok'));
    const port = await listen(server);
    try {
      await get(port, '/health');
      await get(port, '/ready');
    } finally {
      server.close();
    }
    expect(getFinishedSpans().filter((s) => s.kind === 1)).toEqual([]);
  });

  it('traces graphql execution', async () => {
    resetFinishedSpans();
    // graphql loaded after initTelemetry, as with --import register.ts.
    const { buildSchema, graphql } = await import('graphql');
    const schema = buildSchema('type Query { hello: String }');
    const result = await graphql({ schema, source: 'query Hi { hello }', rootValue: { hello: 'world' } });
    expect(result).toEqual({ data: { hello: 'world' } });
    const names = getFinishedSpans().map((s) => s.name);
    expect(names.some((n) => n.includes('graphql') || n.includes('query'))).toBe(true);
  });

  it('adds trace and span ids to log lines inside a span', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ service: 'test', level: 'info', destination });
    trace.getTracer('test').startActiveSpan('work', (span) => {
      logger.info('inside');
      expect(currentTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }).traceparent).toBe(
        `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
      );
      span.end();
      const line = JSON.parse(chunks[0]!) as Record<string, unknown>;
      expect(line).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    });
  });

  it('shuts down cleanly', async () => {
    await shutdownTelemetry();
    await shutdownTelemetry();
  });
});
