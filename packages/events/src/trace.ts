/**
 * W3C trace context in and out of envelopes. Uses the global OpenTelemetry
 * propagator when one is registered (by @commerce/observability); without
 * one, it still writes/reads `traceparent` from the active span context, so
 * a trace id is never dropped just because the propagator was not set up in
 * some process (scripts, tests).
 */
import {
  context,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

const setter: TextMapSetter<TraceCarrier> = {
  set(carrier, key, value) {
    if (key === 'traceparent') carrier.traceparent = value;
    else if (key === 'tracestate') carrier.tracestate = value;
  },
};

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    if (key === 'traceparent') return carrier.traceparent;
    if (key === 'tracestate') return carrier.tracestate;
    return undefined;
  },
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace context of `ctx` (default: the active one) as envelope fields. */
export function captureTraceContext(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier, setter);
  if (!carrier.traceparent) {
    const span = trace.getSpanContext(ctx);
    if (span && trace.isSpanContextValid(span)) {
      const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
      carrier.traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
      const state = span.traceState?.serialize();
      if (state) carrier.tracestate = state;
    }
  }
  return carrier;
}

/** A context whose remote parent is the envelope's trace context (or `base` unchanged). */
export function restoreTraceContext(carrier: TraceCarrier, base: Context = context.active()): Context {
  if (!carrier.traceparent) return base;
  const extracted = propagation.extract(base, carrier, getter);
  if (trace.getSpanContext(extracted)) return extracted;
  // No global propagator: parse traceparent ourselves so spans still link up.
  const match = TRACEPARENT.exec(carrier.traceparent);
  if (!match) return base;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  if (!trace.isSpanContextValid(spanContext)) return base;
  return trace.setSpanContext(base, spanContext);
}
