/** The CONSUMER span around a handler, whose parent is the producer's trace context. */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventEnvelope } from '../define.js';
import { errorMessage } from '../logger.js';
import { restoreTraceContext } from '../trace.js';
import type { Delivery } from './types.js';

const tracer = trace.getTracer('@commerce/events');

export function runTraced<R>(group: string, envelope: EventEnvelope, delivery: Delivery, fn: () => Promise<R>): Promise<R> {
  const { topic, partition, message } = delivery;
  const parent = restoreTraceContext(envelope);
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
