/**
 * A catalog export: a JSON-lines file of product snapshots.
 *
 *   line 1 (optional)  {"format":"commerce.product-snapshots","version":1,"exportedAt":"2026-11-21T10:00:00.000Z"}
 *   every other line   one product snapshot, exactly the payload of product.created / product.updated
 *                      (productSnapshotSchema in @commerce/events)
 *
 * Blank lines are ignored. A line that is not valid JSON or not a valid
 * snapshot fails the reindex with its line number (nothing is pruned then).
 * The export is complete as of `exportedAt`; without a header, as of the
 * newest snapshot's updatedAt. Documents newer than that are never pruned.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { productSnapshotSchema, type ProductSnapshot } from '@commerce/events';
import { z } from 'zod';
import type { SnapshotSink, SnapshotSource, SnapshotSourceResult } from './sources.js';

export const EXPORT_FORMAT = 'commerce.product-snapshots';

const headerSchema = z.object({ format: z.literal(EXPORT_FORMAT), version: z.literal(1), exportedAt: z.iso.datetime({ offset: true }) });

export class ExportFileError extends Error {
  override readonly name = 'ExportFileError';
}

/** The header line for an export taken at `exportedAt`. */
export const exportHeader = (exportedAt: Date): string =>
  JSON.stringify({ format: EXPORT_FORMAT, version: 1, exportedAt: exportedAt.toISOString() });

export function snapshotExportSource(file: string): SnapshotSource {
  return {
    name: `export:${file}`,
    async run(sink: SnapshotSink, batchSize: number): Promise<SnapshotSourceResult> {
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
      let lineNo = 0;
      let exportedAt: Date | null = null;
      let newest = 0;
      let snapshots = 0;
      let batch: ProductSnapshot[] = [];
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new ExportFileError(`${file}:${lineNo}: not valid JSON`);
        }
        if (snapshots === 0 && exportedAt === null && typeof value === 'object' && value !== null && 'format' in value) {
          const header = headerSchema.safeParse(value);
          if (!header.success) throw new ExportFileError(`${file}:${lineNo}: not a ${EXPORT_FORMAT} v1 header`);
          exportedAt = new Date(header.data.exportedAt);
          continue;
        }
        const parsed = productSnapshotSchema.safeParse(value);
        if (!parsed.success) throw new ExportFileError(`${file}:${lineNo}: not a product snapshot (${parsed.error.issues[0]?.message ?? 'invalid'})`);
        newest = Math.max(newest, Date.parse(parsed.data.updatedAt));
        batch.push(parsed.data);
        snapshots++;
        if (batch.length >= batchSize) {
          await sink(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await sink(batch);
      const completeAsOf = exportedAt ?? (snapshots > 0 ? new Date(newest) : null);
      return { snapshots, completeAsOf, skipped: 0 };
    },
  };
}
