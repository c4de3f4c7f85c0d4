import { context, isSpanContextValid, propagation, trace, TraceFlags } from '@opentelemetry/api';

/**
 * W3C trace context without the SDK.
 *
 * Telemetry is off by default (the router is benchmarked against a bare
 * gateway), but a trace started upstream must still survive the hop from the
 * router to the subgraphs and into Kafka events. These helpers read the active
 * span when the SDK runs and otherwise fall back to the caller's incoming
 * `traceparent`/`tracestate` headers, validated and passed through unchanged.
 * Nothing here allocates an AsyncLocalStorage, so "off" stays free.
 */

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

type HeaderValue = string | readonly string[] | number | null | undefined;

/**
 * Anything that carries request headers: node's `IncomingHttpHeaders`, a plain
 * record, or a `Headers`-like object with `get` (fetch `Headers`, Apollo's `HeaderMap`).
 */
export type HeaderSource = { get(name: string): string | null | undefined } | Readonly<Record<string, HeaderValue>>;

export interface TraceContextHeaders {
  traceparent?: string;
  tracestate?: string;
}

export interface ParsedTraceparent {
  version: string;
  traceId: string;
  /** The span id of the caller, i.e. the parent of whatever we do next. */
  spanId: string;
  flags: number;
}

// version-traceid-parentid-flags; future versions may append "-..." fields (W3C §3.2.4).
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
// A tracestate list may hold 32 members; anything far larger is abuse, not context.
const MAX_TRACESTATE_LENGTH = 512;

function hasGet(source: HeaderSource): source is { get(name: string): string | null | undefined } {
  return typeof (source as { get?: unknown }).get === 'function';
}

/** Reads one header (lower-case name) from any header source; joins repeated values. */
export function readHeader(source: HeaderSource | null | undefined, name: string): string | undefined {
  if (!source) return undefined;
  const raw: HeaderValue = hasGet(source) ? source.get(name) : (source as Readonly<Record<string, HeaderValue>>)[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  return raw.length > 0 ? raw.join(',') : undefined;
}

/** Parses and validates a `traceparent` value; undefined when it is not usable. */
export function parseTraceparent(value: string | null | undefined): ParsedTraceparent | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT_RE.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (!version || !traceId || !spanId || !flags) return undefined;
  // Version ff is forbidden; version 00 must not carry extra fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { version, traceId, spanId, flags: Number.parseInt(flags, 16) };
}

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');

/** The active span's context, when the SDK runs and a span is recording this work. */
function activeSpanContext() {
  // With no SDK registered this is the no-op context manager: a cheap lookup that returns undefined.
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The `traceparent` to send downstream (to a subgraph, into an event).
 *
 * - SDK on: the active span, so the next hop becomes its child.
 * - SDK off: the caller's own `traceparent` from `incoming`, passed through as is,
 *   so a trace started at the edge stays one trace even though we add no span.
 */
export function currentTraceparent(incoming?: HeaderSource | null): string | undefined {
  const spanContext = activeSpanContext();
  if (spanContext) {
    return `00-${spanContext.traceId}-${spanContext.spanId}-${hex2(spanContext.traceFlags ?? TraceFlags.NONE)}`;
  }
  const value = readHeader(incoming, TRACEPARENT_HEADER)?.trim();
  return value && parseTraceparent(value) ? value : undefined;
}

/**
 * `traceparent` and `tracestate` to forward. The router calls this in
 * `willSendRequest` with the incoming request's headers; event publishers call
 * it to stamp envelopes. With the SDK on the registered propagator writes them
 * (so `tracestate` entries added by the SDK are kept).
 */
export function currentTraceContext(incoming?: HeaderSource | null): TraceContextHeaders {
  if (activeSpanContext()) {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const out: TraceContextHeaders = {};
    if (carrier[TRACEPARENT_HEADER]) out.traceparent = carrier[TRACEPARENT_HEADER];
    if (carrier[TRACESTATE_HEADER]) out.tracestate = carrier[TRACESTATE_HEADER];
    // A propagator configured without W3C (e.g. only baggage) still gets a traceparent.
    out.traceparent ??= currentTraceparent();
    return out;
  }
  const traceparent = currentTraceparent(incoming);
  if (!traceparent) return {};
  const tracestate = readHeader(incoming, TRACESTATE_HEADER)?.trim();
  return tracestate && tracestate.length <= MAX_TRACESTATE_LENGTH ? { traceparent, tracestate } : { traceparent };
}

export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
  /** SDK off: the caller's span id from `traceparent`; we have no span of our own. */
  parent_span_id?: string;
}

/** Fields that tie a log line to a trace: the active span, else the incoming `traceparent`. */
export function traceLogFields(incoming?: HeaderSource | null): TraceLogFields {
  const spanContext = activeSpanContext();
  if (spanContext) return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
  const parsed = parseTraceparent(readHeader(incoming, TRACEPARENT_HEADER));
  return parsed ? { trace_id: parsed.traceId, parent_span_id: parsed.spanId } : {};
}

/** True when a span is active, i.e. the SDK runs and this code is inside traced work. */
export const hasActiveSpan = (): boolean => activeSpanContext() !== undefined;
