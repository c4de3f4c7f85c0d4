/** Pure tests: definitions, registry, marker encoding, backoff, trace context. No infrastructure. */
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ALL_TOPICS,
  backoffDelay,
  captureTraceContext,
  createEventContext,
  createEventRegistry,
  decodePositionRanges,
  defineEvent,
  encodePositionRanges,
  eventRegistry,
  EventValidationError,
  OUTBOX_MARKER_TOPIC,
  ProductCreated,
  ProductPriceChanged,
  restoreTraceContext,
  TOPICS,
  UserRegistered,
  type EnvelopeForType,
  type EventLogger,
} from '../src/index.js';

const uuid = '0190a5b4-8c1e-7c3e-9d1a-2b3c4d5e6f70';

const product = {
  productId: uuid,
  slug: 'tee',
  name: 'Tee',
  description: '',
  brand: null,
  status: 'ACTIVE',
  categoryId: uuid,
  categoryPath: [{ id: uuid, slug: 'clothing', name: 'Clothing' }],
  images: [{ url: 'https://img/1.jpg', altText: '' }],
  variants: [
    {
      variantId: uuid,
      sku: 'TEE-M',
      name: 'M',
      options: [{ name: 'Size', value: 'M' }],
      prices: [{ currency: 'USD', amountMinor: 1999 }],
    },
  ],
  ratingAverage: null,
  ratingCount: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
} as const;

describe('event definitions', () => {
  it('carry type, version, topic and validate payloads', () => {
    expect(UserRegistered).toMatchObject({ type: 'user.registered', version: 1, topic: TOPICS.user });
    expect(ProductCreated.topic).toBe(TOPICS.product);
    expect(ProductCreated.parse(product)).toEqual(product);
    expect(() =>
      UserRegistered.parse({ userId: uuid, email: 'not-an-email', name: 'A', role: 'CUSTOMER', registeredAt: '2025-01-01T00:00:00Z' }),
    ).toThrow(EventValidationError);
  });

  it('money is integer minor units with an ISO currency, never a float', () => {
    const base = { productId: uuid, variantId: uuid, sku: 'S', currency: 'USD', previousAmountMinor: null, amountMinor: 1999 };
    expect(ProductPriceChanged.parse(base)).toEqual(base);
    expect(() => ProductPriceChanged.parse({ ...base, amountMinor: 19.99 })).toThrow(/int/i);
    expect(() => ProductPriceChanged.parse({ ...base, currency: 'usd' })).toThrow(EventValidationError);
    expect(() => ProductCreated.parse({ ...product, variants: [{ ...product.variants[0], prices: [{ currency: 'EUR', amountMinor: 1.5 }] }] })).toThrow();
  });

  it('rejects names that are not <aggregate>.<verb> and bad versions', () => {
    const schema = z.object({});
    expect(() => defineEvent({ type: 'UserRegistered', version: 1, topic: 't', schema })).toThrow(/past_tense/);
    expect(() => defineEvent({ type: 'user.registered', version: 0, topic: 't', schema })).toThrow(/version/);
  });
});

describe('registry', () => {
  const V1 = defineEvent({ type: 'thing.happened', version: 1, topic: 't', schema: z.object({ a: z.string() }) });
  const V2 = defineEvent({ type: 'thing.happened', version: 2, topic: 't', schema: z.object({ a: z.string(), b: z.number() }) });
  const registry = createEventRegistry([V1, V2]);
  const envelope = { eventId: uuid, type: 'thing.happened', version: 2, occurredAt: '2025-01-01T00:00:00.000Z', aggregateId: 'x', payload: { a: 'a', b: 1 } };

  it('looks definitions up by type and version', () => {
    expect(registry.get('thing.happened', 1)).toBe(V1);
    expect(registry.latest('thing.happened')).toBe(V2);
    expect(registry.topicOf('thing.happened')).toBe('t');
    expect(eventRegistry.get('product.price_changed', 1)).toBe(ProductPriceChanged);
    const types = eventRegistry.types();
    expect(types).toEqual(expect.arrayContaining(['product.created', 'product.price_changed', 'product.updated', 'user.registered', 'order.placed', 'stock.reserved', 'payment.authorized']));
    // Names are facts in the past tense, `<aggregate>.<what happened>`, each on a known topic.
    for (const type of types) {
      expect(type).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(Object.values(TOPICS)).toContain(eventRegistry.topicOf(type));
    }
  });

  it('parses envelopes: ok, invalid envelope, unknown version, invalid payload', () => {
    const ok = registry.parseEnvelope(envelope);
    expect(ok.ok && ok.envelope.payload).toEqual({ a: 'a', b: 1 });
    expect(registry.parseEnvelope({ ...envelope, eventId: 'nope' })).toMatchObject({ ok: false, reason: 'invalid-envelope' });
    expect(registry.parseEnvelope({ ...envelope, version: 3 })).toMatchObject({ ok: false, reason: 'unknown-version' });
    expect(registry.parseEnvelope({ ...envelope, payload: { a: 1 } })).toMatchObject({ ok: false, reason: 'invalid-payload' });
    expect(registry.parseEnvelope({ ...envelope, type: 'other.happened' })).toMatchObject({ ok: false, reason: 'unknown-type' });
  });

  it('refuses duplicate versions and one type on two topics', () => {
    expect(() => createEventRegistry([V1, V1])).toThrow(/twice/);
    const elsewhere = defineEvent({ type: 'thing.happened', version: 3, topic: 'u', schema: z.object({}) });
    expect(() => createEventRegistry([V1, elsewhere])).toThrow(/two topics/);
  });

  it('types handler envelopes as the union of every version', () => {
    type E = EnvelopeForType<typeof V1 | typeof V2, 'thing.happened'>;
    const check = (e: E): string => (e.version === 2 && 'b' in e.payload ? `${e.payload.a}${e.payload.b}` : e.payload.a);
    expect(check({ ...envelope, type: 'thing.happened', payload: { a: 'x', b: 2 } })).toBe('x2');
  });
});

describe('relay marker encoding', () => {
  it('encodes positions as exact ranges and back', () => {
    const positions = ['5', '6', '7', '9', '12', '13', '9007199254740993'];
    const encoded = encodePositionRanges(positions);
    expect(encoded).toBe('5-7,9,12-13,9007199254740993');
    expect(decodePositionRanges(encoded)).toEqual(positions);
    expect(decodePositionRanges('')).toEqual([]);
    expect(() => decodePositionRanges('5-x')).toThrow();
  });

  it('the marker topic is provisioned with every other topic', () => {
    expect(ALL_TOPICS).toContain(OUTBOX_MARKER_TOPIC);
    expect(ALL_TOPICS).toContain(`${TOPICS.product}.dlq`);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and a cap', () => {
    for (let i = 0; i < 50; i++) {
      const first = backoffDelay(1, { initialMs: 100, maxMs: 1_000 });
      const third = backoffDelay(3, { initialMs: 100, maxMs: 1_000 });
      const tenth = backoffDelay(10, { initialMs: 100, maxMs: 1_000 });
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(tenth).toBeLessThanOrEqual(1_000);
    }
  });
});

describe('trace context', () => {
  it('writes and restores W3C traceparent without a registered SDK', () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(context.active(), spanContext);
    const carrier = captureTraceContext(ctx);
    expect(carrier.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const restored = trace.getSpanContext(restoreTraceContext(carrier));
    expect(restored).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId, isRemote: true });
    expect(captureTraceContext(context.active())).toEqual({});
    expect(restoreTraceContext({ traceparent: 'garbage' })).toBe(context.active());
  });
});

describe('EventContext', () => {
  const envelope = {
    eventId: uuid,
    type: 'order.placed',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'vendor=x',
  };

  it('binds the event id, type, group and, with no span active, the trace id of the envelope to every log line', () => {
    const lines: object[] = [];
    const capture: EventLogger = { info: (obj) => void lines.push(obj), warn() {}, error() {} };
    const ctx = createEventContext({ tx: 'tx', envelope, group: 'orders', logger: capture });
    ctx.logger.info({ orderId: 'o-1' }, 'handled');
    expect(lines).toEqual([
      { eventId: uuid, eventType: 'order.placed', group: 'orders', trace_id: '0af7651916cd43dd8448eb211c80319c', parent_span_id: 'b7ad6b7169203331', orderId: 'o-1' },
    ]);
    expect(ctx).toMatchObject({ tx: 'tx', eventId: uuid, eventType: 'order.placed', group: 'orders' });
    expect(ctx.traceContext).toEqual({ traceparent: envelope.traceparent, tracestate: 'vendor=x' });
  });

  it("uses a pino-style logger's child(), and leaves out trace fields an envelope does not have", () => {
    const bindings: object[] = [];
    const child = { info() {}, warn() {}, error() {} };
    const pinoLike = { info() {}, warn() {}, error() {}, child: (b: object) => {
        bindings.push(b);
        return child;
      },
    };
    const ctx = createEventContext({ tx: null, envelope: { eventId: uuid, type: 'user.deleted' }, group: 'users', logger: pinoLike });
    expect(ctx.logger).toBe(child);
    expect(bindings).toEqual([{ eventId: uuid, eventType: 'user.deleted', group: 'users' }]);
    expect(ctx.traceContext).toEqual({});
  });
});
