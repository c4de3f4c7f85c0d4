import { createRequire } from 'node:module';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type * as PinoPrettyModule from 'pino-pretty';

/** The logger every package passes around: a pino logger (JSON lines on stdout). */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Written as `service` on every line, e.g. 'users', 'router'. */
  service: string;
  /** Overrides LOG_LEVEL. */
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to assert on output. */
  destination?: DestinationStream;
  /** Overrides LOG_FORMAT. */
  format?: LogFormat;
}

/** `json`: one JSON object a line (production, log shippers). `pretty`: one readable line an event (`npm start`). */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT=pretty gives readable lines; anything else (and unset) keeps raw JSON. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env.LOG_FORMAT?.trim().toLowerCase() === 'pretty' ? 'pretty' : 'json';
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** LOG_LEVEL, default info; tests are silent unless LOG_LEVEL asks otherwise. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const requested = env.LOG_LEVEL?.trim().toLowerCase();
  if (requested && LEVELS.has(requested)) return requested;
  return env.NODE_ENV === 'test' ? 'silent' : 'info';
}



const require = createRequire(import.meta.url);
// One prettifier per process (the dev runner starts every subgraph in one), on
// globalThis for the same reason as telemetry's state.
const PRETTY_KEY = Symbol.for('@commerce/observability/pretty-stream');
type GlobalWithPretty = typeof globalThis & { [PRETTY_KEY]?: DestinationStream };

/**
 * `[12:00:25.391] INFO: orders        order placed {"orderId":"…","trace_id":"…"}`.
 * pino-pretty as an in-process stream (no worker thread), loaded only when asked for.
 */
function prettyStream(): DestinationStream {
  const globals = globalThis as GlobalWithPretty;
  const existing = globals[PRETTY_KEY];
  if (existing) return existing;
  const { PinoPretty } = require('pino-pretty') as typeof PinoPrettyModule;
  const stream = PinoPretty({
    singleLine: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    messageFormat: (log, messageKey) => `${String(log.service ?? '').padEnd(13)} ${String(log[messageKey] ?? '')}`,
  });
  globals[PRETTY_KEY] = stream;
  return stream;
}

/**
 * Adds the active span's ids to each line so logs and traces join up. With the
 * SDK off there is never an active span, and this costs one context lookup.
 * (Request loggers additionally bind the incoming trace id, see subgraph-kit.)
 */
function traceMixin(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  // A fresh object each time: pino merges the log object into what the mixin returns.
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * A pino JSON logger. Secrets that commonly end up in log objects are redacted
 * here once, rather than trusting every call site.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pinoOptions = {
    level: options.level ?? logLevelFromEnv(),
    base: { service: options.service },
    // ISO time and a level label keep the lines readable without pino-pretty.
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: traceMixin,
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
        'refreshToken',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
  };
  const destination = options.destination ?? ((options.format ?? logFormatFromEnv()) === 'pretty' ? prettyStream() : undefined);
  return destination ? pino(pinoOptions, destination) : pino(pinoOptions);
}
