/** The CONSUMER span around a handler, whose parent is the producer's trace context. */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventEnvelope } from '../define.js';
import { errorMessage } from '../logger.js';
import { restoreTraceContext } from '../trace.js';
import type { Delivery } from './types.js';

export function runTraced<R>(group: string, envelope: EventEnvelope, delivery: Delivery, fn: () => Promise<R>): Promise<R> {
  const { topic, partition, message } = delivery;
  const parent = restoreTraceContext(envelope);
  // Asked for at each call, not at module load: a tracer taken before telemetry starts (this module may load first,
  // and two copies of @opentelemetry/api are installed) never records anything.
  const tracer = trace.getTracer('@commerce/events');
  return context.with(parent, () =>
    tracer.startActiveSpan(
      `${envelope.type} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.message.offset': Number(message.offset),
          'messaging.kafka.consumer.group': group,
          'messaging.message.id': envelope.eventId,
          'event.type': envelope.type,
          'event.version': envelope.version,
        },
      },
      async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.recordException(error instanceof Error ? error : new Error(String(error)));
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    ),
  );
}
