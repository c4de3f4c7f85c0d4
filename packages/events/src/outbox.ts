/**
 * Transactional outbox, producer side. The event row is written by the same
 * database transaction as the state change it describes, so the two commit
 * or roll back together; the relay publishes committed rows to Kafka later.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventDefinition, EventEnvelope } from './define.js';
import { captureTraceContext, type TraceCarrier } from './trace.js';

/**
 * What appendToOutbox needs from a transaction: Prisma's raw-SQL method.
 * Structural, so the interactive-transaction client of every domain's
 * generated Prisma client fits (their `$executeRawUnsafe` returns a
 * PrismaPromise<number>, which is a PromiseLike<number>), and so does a thin
 * adapter around `pg` in tests.
 */
export interface OutboxTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * LISTEN/NOTIFY channel the relay waits on. NOTIFY is scoped to one database
 * and every domain has its own database, so one fixed name is enough.
 * Notifications are delivered only on commit, which is exactly when the row
 * becomes visible to the relay.
 */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';

/**
 * Advisory-lock namespace (first key of pg_advisory_xact_lock(int, int)) for
 * per-aggregate serialisation of appends; see appendToOutbox.
 */
export const OUTBOX_AGGREGATE_LOCK_CLASS = 0x0b0e_0001;

export interface AppendToOutboxInput<TPayload> {
  aggregateId: string;
  payload: TPayload;
  /** When the fact happened; defaults to now. */
  occurredAt?: Date;
  /** Supply to make a retried command produce the same event id; defaults to a random uuid. */
  eventId?: string;
  /**
   * The W3C trace context of the request that caused the event (a subgraph's
   * `ctx.traceContext`). Used only when no span is active: with telemetry off
   * (the default) there is none, and the caller's `traceparent` would
   * otherwise be lost. An active span always wins.
   */
  traceContext?: TraceCarrier;
}

/** The active span's trace context, else the caller's (a tracestate alone means nothing). */
function envelopeTraceContext(fallback: TraceCarrier | undefined): TraceCarrier {
  const active = captureTraceContext();
  if (active.traceparent || !fallback?.traceparent) return active;
  return fallback.tracestate
    ? { traceparent: fallback.traceparent, tracestate: fallback.tracestate }
    : { traceparent: fallback.traceparent };
}

/**
 * Validates the payload, builds the envelope (with the active trace context,
 * else `input.traceContext`) and inserts it into outbox_events inside the caller's transaction:
 *
 *   await prisma.$transaction(async (tx) => {
 *     const user = await tx.user.create({ data });
 *     await appendToOutbox(tx, UserRegistered, { aggregateId: user.id, payload: { ... }, traceContext: ctx.traceContext });
 *   });
 *
 * Per-aggregate order: `position` comes from a sequence, assigned at INSERT
 * time, while rows become visible at COMMIT time. Two concurrent transactions
 * appending events for the same aggregate could commit in the opposite order
 * of their positions, and the relay (which reads in position order) would
 * publish them out of order. A transaction-scoped advisory lock on
 * (topic, aggregateId), taken before the INSERT (in the same statement), serialises such appends so
 * position order equals commit order per aggregate. Events of different
 * aggregates do not wait for each other. (Append events of several aggregates
 * in a consistent order, as you would lock their rows, to avoid deadlocks.)
 */
export async function appendToOutbox<const TType extends string, TSchema extends z.ZodType>(
  tx: OutboxTransaction,
  definition: EventDefinition<TType, TSchema>,
  input: AppendToOutboxInput<z.input<TSchema>>,
): Promise<EventEnvelope<z.output<TSchema>, TType>> {
  if (!input.aggregateId) throw new Error(`appendToOutbox(${definition.type}): aggregateId is required`);
  const payload = definition.parse(input.payload);
  const envelope: EventEnvelope<z.output<TSchema>, TType> = {
    eventId: input.eventId ?? randomUUID(),
    type: definition.type,
    version: definition.version,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    aggregateId: input.aggregateId,
    payload,
    ...envelopeTraceContext(input.traceContext),
  };

  // Lock, INSERT and NOTIFY in one round trip. The lock's CTE is volatile, so
  // PostgreSQL materialises it: the row, and with it the position from the
  // sequence, is only formed once the lock is held. NOTIFY with an identical
  // payload is folded into one per transaction, so appending many events wakes
  // the relay once.
  await tx.$executeRawUnsafe(
    `WITH locked AS (
       SELECT pg_advisory_xact_lock($1::int4, hashtext($2::text))
     ), inserted AS (
       INSERT INTO outbox_events (event_id, topic, event_type, aggregate_id, envelope)
       SELECT $3::uuid, $4, $5, $6, $7::jsonb FROM locked
       RETURNING position
     )
     SELECT pg_notify('${OUTBOX_NOTIFY_CHANNEL}', '') FROM inserted`,
    OUTBOX_AGGREGATE_LOCK_CLASS,
    `${definition.topic}:${input.aggregateId}`,
    envelope.eventId,
    definition.topic,
    definition.type,
    envelope.aggregateId,
    JSON.stringify(envelope),
  );
  return envelope;
}
