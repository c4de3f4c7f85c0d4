/**
 * Decode: a fetched message becomes a dead letter (bad JSON, bad envelope,
 * unknown version, invalid payload), a skip (no handler for its type: another
 * consumer's event on a shared topic) or an event to handle.
 */
import type { KafkaMessage } from 'kafkajs';
import { eventEnvelopeSchema, EventValidationError, type AnyEventDefinition, type EventRegistry } from '../define.js';
import type { DeadLetterReason, Decoded, Handler } from './types.js';

export function createDecoder<Tx, D extends AnyEventDefinition>(registry: EventRegistry<D>, handlers: ReadonlyMap<string, Handler<Tx>>): (message: KafkaMessage) => Decoded<Tx> {
  return function decode(message) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      return { kind: 'dead-letter', message, reason: 'invalid-envelope', error };
    }
    const shape = eventEnvelopeSchema.safeParse(decoded);
    if (!shape.success) return { kind: 'dead-letter', message, reason: 'invalid-envelope', error: new EventValidationError('envelope', undefined, shape.error) };

    const handler = handlers.get(shape.data.type);
    if (!handler) return { kind: 'skip', message }; // another consumer's event on a shared topic: acknowledge and move on

    const parsed = registry.parseEnvelope(decoded);
    if (!parsed.ok) {
      const reason: DeadLetterReason = parsed.reason === 'invalid-payload' ? 'invalid-payload' : parsed.reason === 'invalid-envelope' ? 'invalid-envelope' : 'unknown-version';
      return { kind: 'dead-letter', message, reason, error: parsed.error };
    }
    return { kind: 'handle', message, envelope: parsed.envelope, handler };
  };
}
