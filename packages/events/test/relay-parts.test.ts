/** The relay's pure parts, each on its own: marker sizing and decoding, message headers, fencing, wake-ups. No infrastructure. */
import { describe, expect, it } from 'vitest';
import { decodeMarker, encodeMarker, fitBatch } from '../src/relay/marker.js';
import { isFenced, toMessage } from '../src/relay/producer.js';
import type { OutboxRow } from '../src/relay/types.js';
import { Wakeup } from '../src/relay/wakeup.js';

const row = (position: number, envelope: object = { version: 2 }): OutboxRow => ({
  position: String(position),
  event_id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  topic: 'commerce.order',
  event_type: 'order.placed',
  aggregate_id: `order-${position}`,
  envelope: JSON.stringify(envelope),
});

describe('relay parts', () => {
  it('marker: round-trips, and ignores metadata that is not ours', () => {
    const rows = [row(5), row(6), row(7), row(9)];
    expect(decodeMarker(encodeMarker(rows))).toEqual({ v: 1, r: '5-7,9', p: '9', e: rows[3]?.event_id });
    expect(decodeMarker('not json')).toBeUndefined();
    expect(decodeMarker('{"v":2}')).toBeUndefined();
    expect(decodeMarker(null)).toBeUndefined();
  });

  it('fitBatch: a batch whose marker would pass the metadata limit is cut to a prefix', () => {
    // Every other position: no ranges, so the marker grows with the batch.
    const rows = Array.from({ length: 1_000 }, (_, i) => row(1_000_000 + 2 * i));
    const batch = fitBatch(rows);
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThan(rows.length);
    expect(batch).toEqual(rows.slice(0, batch.length));
    expect(Buffer.byteLength(encodeMarker(batch))).toBeLessThanOrEqual(3_000);
    const contiguous = Array.from({ length: 1_000 }, (_, i) => row(i + 1));
    expect(fitBatch(contiguous)).toHaveLength(1_000);
  });

  it('toMessage: keyed by aggregate, with the event headers and the trace context', () => {
    const message = toMessage(row(3, { version: 2, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), 'orders');
    expect(message.key).toBe('order-3');
    expect(message.headers).toEqual({
      'event-type': 'order.placed',
      'event-id': row(3).event_id,
      'event-version': '2',
      'outbox-position': '3',
      'outbox-domain': 'orders',
      'content-type': 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('isFenced: kafkajs fencing errors by type or message, nothing else', () => {
    expect(isFenced({ type: 'PRODUCER_FENCED' })).toBe(true);
    expect(isFenced(new Error('Producer was fenced by a newer instance'))).toBe(true);
    expect(isFenced(new Error('INVALID_PRODUCER_EPOCH'))).toBe(true);
    expect(isFenced(new Error('Connection timeout'))).toBe(false);
  });

  it('Wakeup: a notify before the wait is not lost; a wait without one times out', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    const started = Date.now();
    await wakeup.wait(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const idle = Date.now();
    await wakeup.wait(30);
    expect(Date.now() - idle).toBeGreaterThanOrEqual(25);
    setTimeout(() => wakeup.notify(), 10);
    const woken = Date.now();
    await wakeup.wait(5_000);
    expect(Date.now() - woken).toBeLessThan(1_000);
  });
});
