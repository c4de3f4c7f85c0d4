/**
 * The marker: an offset commit for the relay's own consumer-group id, sent in
 * the same Kafka transaction as a batch's messages, whose metadata lists the
 * batch's outbox positions. A successor reads it to mark exactly those rows
 * published without sending them again (reconcile.ts).
 */
import type { OutboxRow } from './types.js';

/**
 * Kafka limits offset-commit metadata to offset.metadata.max.bytes (4096 by
 * default). A batch is cut short when its marker would exceed this.
 */
const MAX_MARKER_BYTES = 3_000;

export interface Marker {
  v: 1;
  /** Positions of the batch as ranges: "5-9,12,15-20". */
  r: string;
  /** Highest position and its event id: lets a reader check the marker belongs to this database. */
  p: string;
  e: string;
}

/** Compact, exact encoding of ascending positions as ranges. */
export function encodePositionRanges(positions: readonly string[]): string {
  const parts: string[] = [];
  let start: bigint | undefined;
  let prev: bigint | undefined;
  for (const text of positions) {
    const value = BigInt(text);
    if (start !== undefined && prev !== undefined && value === prev + 1n) {
      prev = value;
      continue;
    }
    if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = value;
    prev = value;
  }
  if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
  return parts.join(',');
}

export function decodePositionRanges(ranges: string): string[] {
  if (!ranges) return [];
  return ranges.split(',').flatMap((part) => {
    const [from, to] = part.split('-');
    if (from === undefined || !/^\d+$/.test(from) || (to !== undefined && !/^\d+$/.test(to))) {
      throw new Error(`Invalid position range "${part}"`);
    }
    const out: string[] = [];
    for (let value = BigInt(from); value <= BigInt(to ?? from); value++) out.push(value.toString());
    return out;
  });
}

export function encodeMarker(rows: readonly OutboxRow[]): string {
  const last = rows.at(-1);
  if (!last) throw new Error('empty batch');
  const marker: Marker = { v: 1, r: encodePositionRanges(rows.map((r) => r.position)), p: last.position, e: last.event_id };
  return JSON.stringify(marker);
}

export function decodeMarker(metadata: string | null | undefined): Marker | undefined {
  if (!metadata) return undefined;
  try {
    const value = JSON.parse(metadata) as Partial<Marker>;
    if (value.v === 1 && typeof value.r === 'string' && typeof value.p === 'string' && typeof value.e === 'string') {
      return value as Marker;
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** The longest prefix of `rows` whose marker fits into the offset metadata limit. */
export function fitBatch(rows: readonly OutboxRow[]): OutboxRow[] {
  let count = rows.length;
  while (count > 1 && Buffer.byteLength(encodeMarker(rows.slice(0, count))) > MAX_MARKER_BYTES) {
    count = Math.max(1, Math.floor(count / 2));
  }
  return rows.slice(0, count);
}
