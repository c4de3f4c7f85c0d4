/**
 * One typed definition per domain event: name (past tense), version, topic
 * and a zod validator. Producers validate before writing to the outbox;
 * consumers validate again after reading from Kafka, so a schema drift
 * between services shows up as a dead letter, not as a corrupted read model.
 */
import { z } from 'zod';

/**
 * `<aggregate>.<past_tense_verb>`, lower case, e.g. `user.registered`,
 * `product.price_changed`. The tense itself cannot be checked by a regex;
 * review catches `product.update` — the shape catches everything else.
 */
const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+$/;

/** A runtime-validated event definition. Immutable once created. */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly topic: string;
  readonly schema: TSchema;
  /** Validates and normalises a payload; throws EventValidationError. */
  parse(payload: unknown): z.output<TSchema>;
}

/** Any definition, for registries and helpers that do not care about the payload type. */
export type AnyEventDefinition = EventDefinition<string, z.ZodType>;

/** The payload type after validation (zod output). */
export type EventPayload<D extends AnyEventDefinition> = z.output<D['schema']>;
/** The payload type a producer passes in (zod input: defaults may be omitted). */
export type EventPayloadInput<D extends AnyEventDefinition> = z.input<D['schema']>;

/**
 * What travels on Kafka (message value, JSON) and what is stored in
 * outbox_events.envelope. `traceparent`/`tracestate` are the W3C trace
 * context of the producing request, so the consumer's work joins its trace.
 */
export interface EventEnvelope<TPayload = unknown, TType extends string = string> {
  eventId: string;
  type: TType;
  version: number;
  /** ISO-8601 UTC timestamp of when the fact happened (the producing transaction). */
  occurredAt: string;
  aggregateId: string;
  payload: TPayload;
  traceparent?: string;
  tracestate?: string;
}

/** The envelope of one definition, typed. */
export type EnvelopeOf<D extends AnyEventDefinition> = EventEnvelope<EventPayload<D>, D['type']>;

/** Envelope shape check; the payload is validated separately, per definition. */
export const eventEnvelopeSchema = z.object({
  eventId: z.uuid(),
  type: z.string().regex(EVENT_TYPE_PATTERN),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateId: z.string().min(1),
  payload: z.unknown(),
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

/** Thrown when a payload or envelope does not match its definition. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(
    readonly eventType: string,
    readonly version: number | undefined,
    error: z.ZodError,
  ) {
    super(`Invalid ${eventType}${version === undefined ? '' : ` v${version}`}: ${z.prettifyError(error)}`);
    this.issues = error.issues;
  }
}

export function defineEvent<const TType extends string, TSchema extends z.ZodType>(spec: {
  type: TType;
  version: number;
  topic: string;
  schema: TSchema;
}): EventDefinition<TType, TSchema> {
  if (!EVENT_TYPE_PATTERN.test(spec.type)) {
    throw new Error(`Event type "${spec.type}" must look like "<aggregate>.<past_tense_verb>", e.g. "user.registered"`);
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new Error(`Event ${spec.type}: version must be a positive integer, got ${spec.version}`);
  }
  if (!spec.topic) throw new Error(`Event ${spec.type}: topic is required`);
  const { type, version, topic, schema } = spec;
  return Object.freeze({
    type,
    version,
    topic,
    schema,
    parse(payload: unknown): z.output<TSchema> {
      const result = schema.safeParse(payload);
      if (!result.success) throw new EventValidationError(type, version, result.error);
      return result.data;
    },
  });
}

/** Result of validating an envelope read from Kafka against a registry. */
export type EnvelopeParseResult<D extends AnyEventDefinition> =
  | { ok: true; envelope: EventEnvelope<EventPayload<D>, D['type']>; definition: D }
  | { ok: false; reason: 'invalid-envelope' | 'unknown-type' | 'unknown-version' | 'invalid-payload'; error: Error; type?: string; version?: number };

/**
 * Lookup table of definitions by (type, version). Consumers use it to find
 * the definition of an incoming envelope and validate its payload.
 */
export class EventRegistry<D extends AnyEventDefinition = AnyEventDefinition> {
  readonly #byKey = new Map<string, D>();
  readonly #byType = new Map<string, D[]>();

  constructor(readonly definitions: readonly D[]) {
    for (const definition of definitions) {
      const key = `${definition.type}@${definition.version}`;
      if (this.#byKey.has(key)) throw new Error(`Event ${key} is defined twice`);
      const sameType = this.#byType.get(definition.type) ?? [];
      // One type, one topic: versions of an event must stay on one partitioning scheme
      // or per-aggregate order across a version bump would be lost.
      if (sameType[0] && sameType[0].topic !== definition.topic) {
        throw new Error(`Event ${definition.type} is defined on two topics: ${sameType[0].topic}, ${definition.topic}`);
      }
      this.#byKey.set(key, definition);
      this.#byType.set(definition.type, [...sameType, definition]);
    }
  }

  /** The definition of one version, or undefined. */
  get(type: string, version: number): D | undefined {
    return this.#byKey.get(`${type}@${version}`);
  }

  /** Every version of a type, oldest first. */
  versions(type: string): readonly D[] {
    return [...(this.#byType.get(type) ?? [])].sort((a, b) => a.version - b.version);
  }

  /** The newest version of a type, or undefined. */
  latest(type: string): D | undefined {
    return this.versions(type).at(-1);
  }

  has(type: string): boolean {
    return this.#byType.has(type);
  }

  types(): string[] {
    return [...this.#byType.keys()];
  }

  /** The topic events of this type travel on. */
  topicOf(type: string): string | undefined {
    return this.#byType.get(type)?.[0]?.topic;
  }

  /** Validates a decoded message value: envelope shape, known (type, version), payload. */
  parseEnvelope(value: unknown): EnvelopeParseResult<D> {
    const shape = eventEnvelopeSchema.safeParse(value);
    if (!shape.success) {
      const raw = value as { type?: unknown; version?: unknown } | null;
      return {
        ok: false,
        reason: 'invalid-envelope',
        error: new EventValidationError(typeof raw?.type === 'string' ? raw.type : 'envelope', undefined, shape.error),
      };
    }
    const { type, version } = shape.data;
    if (!this.has(type)) {
      return { ok: false, reason: 'unknown-type', type, version, error: new Error(`Unknown event type ${type}`) };
    }
    const definition = this.get(type, version);
    if (!definition) {
      const known = this.versions(type).map((d) => d.version).join(', ');
      return {
        ok: false,
        reason: 'unknown-version',
        type,
        version,
        error: new Error(`Unknown version ${version} of ${type} (known: ${known})`),
      };
    }
    const payload = definition.schema.safeParse(shape.data.payload);
    if (!payload.success) {
      return { ok: false, reason: 'invalid-payload', type, version, error: new EventValidationError(type, version, payload.error) };
    }
    const envelope: EventEnvelope<EventPayload<D>, D['type']> = {
      eventId: shape.data.eventId,
      type: definition.type,
      version,
      occurredAt: shape.data.occurredAt,
      aggregateId: shape.data.aggregateId,
      payload: payload.data as EventPayload<D>,
    };
    if (shape.data.traceparent !== undefined) envelope.traceparent = shape.data.traceparent;
    if (shape.data.tracestate !== undefined) envelope.tracestate = shape.data.tracestate;
    return { ok: true, envelope, definition };
  }
}

export function createEventRegistry<const D extends AnyEventDefinition>(definitions: readonly D[]): EventRegistry<D> {
  return new EventRegistry(definitions);
}

/** The definitions of a registry, as a union. */
export type DefinitionsOf<R> = R extends EventRegistry<infer D> ? D : never;

/** Every event type of a registry. */
export type EventTypeOf<R> = DefinitionsOf<R>['type'];

/**
 * The envelope a handler of `T` receives: the union over every registered
 * version of `T` (a handler must cope with all versions still in flight).
 */
export type EnvelopeForType<D extends AnyEventDefinition, T extends string> = D extends { type: T }
  ? EventEnvelope<EventPayload<D>, T>
  : never;
