import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import {
  createLogger,
  currentTraceContext,
  currentTraceparent,
  logLevelFromEnv,
  parseTraceparent,
  readHeader,
  telemetryModeFromEnv,
  telemetryStatus,
  traceLogFields,
} from '../src/index.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('telemetry off (the default)', () => {
  it('is off without OTEL_* variables and on with an endpoint or exporter', () => {
    expect(telemetryModeFromEnv({})).toBe('off');
    expect(telemetryModeFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(telemetryModeFromEnv({ OTEL_TRACES_EXPORTER: 'memory' })).toBe('memory');
    expect(telemetryModeFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe('off');
    expect(telemetryModeFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe('off');
    expect(telemetryStatus().mode).toBe('off');
  });

  it('passes the incoming traceparent and tracestate through unchanged', () => {
    const headers = { traceparent: TRACEPARENT, tracestate: 'vendor=abc' };
    expect(currentTraceparent(headers)).toBe(TRACEPARENT);
    expect(currentTraceContext(headers)).toEqual({ traceparent: TRACEPARENT, tracestate: 'vendor=abc' });
    // Headers-like objects (fetch Headers, Apollo's HeaderMap) work too.
    expect(currentTraceparent(new Headers(headers))).toBe(TRACEPARENT);
    expect(currentTraceparent()).toBeUndefined();
    expect(currentTraceContext({})).toEqual({});
  });

  it('drops invalid trace context instead of forwarding it', () => {
    for (const bad of [
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
    ]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
      expect(currentTraceContext({ traceparent: bad, tracestate: 'a=b' }), bad).toEqual({});
    }
    // A future version may append fields.
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what')).toMatchObject({ version: '01' });
    expect(currentTraceContext({ traceparent: TRACEPARENT, tracestate: 'x'.repeat(600) })).toEqual({ traceparent: TRACEPARENT });
  });

  it('gives log fields from the incoming header', () => {
    expect(traceLogFields({ traceparent: TRACEPARENT })).toEqual({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      parent_span_id: 'b7ad6b7169203331',
    });
    expect(traceLogFields({})).toEqual({});
  });

  it('reads headers from records, arrays and Headers', () => {
    expect(readHeader({ a: ['1', '2'] }, 'a')).toBe('1,2');
    expect(readHeader({ a: undefined }, 'a')).toBeUndefined();
    expect(readHeader(new Headers({ A: 'x' }), 'a')).toBe('x');
    expect(readHeader(undefined, 'a')).toBeUndefined();
  });
});

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with service, level label and ISO time, and redacts secrets', () => {
    const out = capture();
    const logger = createLogger({ service: 'users', level: 'info', destination: out.stream });
    logger.info({ password: 'hunter2', input: { password: 'x', email: 'a@b.c' }, authorization: 'Bearer t' }, 'hello');
    logger.child({ requestId: 'r1' }).debug('hidden at info');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', service: 'users', msg: 'hello', password: '[redacted]', authorization: '[redacted]' });
    expect(line?.input).toEqual({ password: '[redacted]', email: 'a@b.c' });
    expect(typeof line?.time).toBe('string');
    expect(line).not.toHaveProperty('trace_id'); // no SDK, no active span
    expect(out.lines()).toHaveLength(1);
  });

  it('takes its level from LOG_LEVEL and is silent under test by default', () => {
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(logLevelFromEnv({ NODE_ENV: 'test' })).toBe('silent');
    expect(logLevelFromEnv({ NODE_ENV: 'production' })).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'loud' })).toBe('info');
  });
});
