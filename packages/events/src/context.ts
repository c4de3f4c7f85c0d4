/**
 * EventContext: what every event handler gets as its first argument, as a
 * resolver gets the request's context. One shape in every subgraph: the
 * transaction the consumer runs the handler in (with its processed_events
 * row), a logger bound with the event's id, type, consumer group and trace
 * ids, the event's trace context (to stamp on the events it causes) and its id.
 */
import { traceLogFields } from '@commerce/observability';
import type { EventEnvelope } from './define.js';
import type { EventLogger } from './logger.js';
import type { TraceCarrier } from './trace.js';

export interface EventContext<Tx, L extends EventLogger = EventLogger> {
  /** The transaction the handler runs in, together with the event's processed_events row. */
  tx: Tx;
  /** The consumer's logger, bound with eventId, eventType, group and the trace ids. */
  logger: L;
  /** The event's W3C trace context, for the events and calls it causes. */
  traceContext: TraceCarrier;
  eventId: string;
  eventType: string;
  /** The consumer group handling the event. */
  group: string;
}

export interface EventContextSource<Tx, L extends EventLogger> {
  tx: Tx;
  envelope: Pick<EventEnvelope, 'eventId' | 'type' | 'traceparent' | 'tracestate'>;
  group: string;
  logger: L;
}

/**
 * The context of one delivery. startConsumer builds it inside the event's
 * CONSUMER span, so the log fields carry that span's ids; with telemetry off
 * (no span active) they carry the trace id of the envelope's traceparent.
 * Tests that call handlers directly build one with this too.
 */
export function createEventContext<Tx, L extends EventLogger>(source: EventContextSource<Tx, L>): EventContext<Tx, L> {
  const { tx, envelope, group } = source;
  const traceContext: TraceCarrier = {};
  if (envelope.traceparent) traceContext.traceparent = envelope.traceparent;
  if (envelope.tracestate) traceContext.tracestate = envelope.tracestate;
  const fields = { eventId: envelope.eventId, eventType: envelope.type, group, ...traceLogFields({ traceparent: envelope.traceparent }) };
  return { tx, logger: bindLogger(source.logger, fields), traceContext, eventId: envelope.eventId, eventType: envelope.type, group };
}

interface ChildLogger {
  child(bindings: Record<string, unknown>): unknown;
}

const hasChild = (logger: EventLogger): logger is EventLogger & ChildLogger =>
  typeof (logger as Partial<ChildLogger>).child === 'function';

/**
 * A logger whose every line carries `fields`: pino's child() when the logger
 * has one (so a subgraph's services keep their Logger type), else a wrapper
 * that inherits the logger's other methods.
 */
export function bindLogger<L extends EventLogger>(logger: L, fields: Record<string, unknown>): L {
  if (hasChild(logger)) return logger.child(fields) as L;
  const bound: EventLogger = Object.create(logger) as EventLogger;
  bound.info = (obj, msg) => logger.info({ ...fields, ...obj }, msg);
  bound.warn = (obj, msg) => logger.warn({ ...fields, ...obj }, msg);
  bound.error = (obj, msg) => logger.error({ ...fields, ...obj }, msg);
  if (logger.debug) bound.debug = (obj, msg) => logger.debug?.({ ...fields, ...obj }, msg);
  return bound as L;
}
