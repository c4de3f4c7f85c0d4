import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers } from '@commerce/config';
import type { ProductSnapshot } from '@commerce/events';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { productReplaySource } from '../src/events/product-replay.js';
import { ExportFileError, exportHeader, snapshotExportSource } from '../src/reindex/export-file.js';
import type { SnapshotSource } from '../src/reindex/sources.js';
import { reindex, ReindexInProgressError } from '../src/service/reindex.service.js';
import { category, ids, index, search, snapshot, startTestServer, testDatabaseUrl, tick, truncateAll, updated, type TestServer } from './helpers.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'search-reindex-'));
});

beforeEach(async () => {
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tools = category('Tools');
const garden = category('Garden');

function writeExport(name: string, snapshots: ProductSnapshot[], exportedAt: Date | null = new Date()): string {
  const file = join(dir, name);
  const lines = [...(exportedAt ? [exportHeader(exportedAt)] : []), ...snapshots.map((s) => JSON.stringify(s))];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface RunRow {
  status: string;
  snapshots: number;
  pruned: number | null;
  error: string | null;
}

const runs = (): Promise<RunRow[]> =>
  server.db.$queryRaw<RunRow[]>`SELECT status, snapshots, pruned, error FROM search_reindex_runs ORDER BY id`;

describe('reindex from a catalog export', () => {
  it('rebuilds in place while queries keep being answered, and prunes what the catalog no longer has', async () => {
    // The live read model: 300 widgets, a product the catalog has since lost, and a lamp the
    // live consumer already has in a newer version than the export.
    const widgets = Array.from({ length: 300 }, (_, i) => snapshot({ name: `Widget ${i}`, path: [tools, garden] }));
    const stale = snapshot({ name: 'Stale Gadget', path: [tools] });
    const lampOld = snapshot({ name: 'Desk Lamp', path: [tools] });
    const lampNew = updated(lampOld, { name: 'Brass Desk Lamp' });
    await index(server.db, ...widgets, stale, lampNew);

    // The export: every widget in a newer version (a new word), 300 new sprockets, the old lamp.
    const export_ = [
      ...widgets.map((w) => updated(w, { description: 'Now galvanised.', updatedAt: tick() })),
      ...Array.from({ length: 300 }, (_, i) => snapshot({ name: `Sprocket ${i}`, path: [tools] })),
      lampOld,
    ];
    const file = writeExport('catalog.jsonl', export_, new Date(Date.parse(tick())));

    // Queries run the whole time; none may fail, and the widgets never disappear.
    let stop = false;
    let queries = 0;
    const load = (async () => {
      while (!stop) {
        const [widgetHits, browse] = await Promise.all([search(server, { query: 'widget', first: 5 }), search(server, { first: 1 })]);
        expect(widgetHits.totalCount).toBe(300);
        expect(browse.totalCount).toBeGreaterThanOrEqual(302);
        queries += 2;
      }
    })();

    // A product the live consumer indexes mid-run (older than the export's cut-off, absent from it) survives the prune.
    const midRun = snapshot({ name: 'Midrun Mug', path: [tools], createdAt: '2025-06-01T00:00:00.000Z' });
    const fromFile = snapshotExportSource(file);
    let injected = false;
    const source: SnapshotSource = {
      name: fromFile.name,
      run: (sink, batchSize) =>
        fromFile.run(async (batch) => {
          if (!injected) {
            injected = true;
            await index(server.db, midRun);
          }
          await sink(batch);
        }, batchSize),
    };
    const result = await reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source, batchSize: 50 });
    stop = true;
    await load;

    expect(queries).toBeGreaterThan(2);
    expect(result).toMatchObject({ snapshots: 601, written: 600, pruned: 1 });
    expect((await search(server, { query: 'galvanised' })).totalCount).toBe(300);
    expect((await search(server, { query: 'sprocket' })).totalCount).toBe(300);
    expect((await search(server, { query: 'stale gadget' })).totalCount).toBe(0);
    expect(ids(await search(server, { query: 'brass lamp' }))).toEqual([lampOld.productId]); // the newer live version kept
    expect(ids(await search(server, { query: 'midrun' }))).toEqual([midRun.productId]);
    expect(await runs()).toEqual([{ status: 'DONE', snapshots: 601, pruned: 1, error: null }]);
  });

  it('without a header, the export counts as complete up to its newest snapshot', async () => {
    const old = snapshot({ name: 'Old Spade', path: [garden], updatedAt: '2025-01-01T00:00:00.000Z' });
    const late = snapshot({ name: 'Late Rake', path: [garden], updatedAt: '2030-01-01T00:00:00.000Z' });
    await index(server.db, old, late);
    const file = writeExport('no-header.jsonl', [snapshot({ name: 'Hose', path: [garden], updatedAt: '2026-06-01T00:00:00.000Z' })], null);
    const result = await reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source: snapshotExportSource(file) });
    expect(result.pruned).toBe(1); // Old Spade; Late Rake is newer than anything the export could know
    expect((await search(server)).totalCount).toBe(2);
  });

  it('a broken export fails with its line number, records the failure and prunes nothing', async () => {
    const kept = snapshot({ name: 'Kept Shovel', path: [garden] });
    await index(server.db, kept);
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, `${exportHeader(new Date())}\n${JSON.stringify(snapshot({ name: 'Fine', path: [garden] }))}\n{"productId": 42}\n`);
    await expect(reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source: snapshotExportSource(file) })).rejects.toThrow(
      ExportFileError,
    );
    await expect(reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source: snapshotExportSource(file) })).rejects.toThrow(
      /broken\.jsonl:3: not a product snapshot/,
    );
    expect(ids(await search(server, { query: 'shovel' }))).toEqual([kept.productId]);
    expect((await runs()).map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
  });

  it('runs one reindex at a time', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const slow: SnapshotSource = {
      name: 'test:slow',
      async run() {
        entered();
        await held;
        return { snapshots: 0, completeAsOf: null, skipped: 0 };
      },
    };
    const first = reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source: slow });
    await started;
    await expect(reindex({ prisma: server.db, databaseUrl: testDatabaseUrl(), source: slow })).rejects.toThrow(ReindexInProgressError);
    release();
    expect((await first).pruned).toBeNull();
  });
});

describe('reindex from the product topic', () => {
  it('replays a topic from the beginning with a fresh consumer group', async () => {
    const kafka = new Kafka({ clientId: 'search-reindex-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `search-test.product.${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const stale = snapshot({ name: 'Stale Gadget', path: [tools] });
      await index(server.db, stale);
      const drill = snapshot({ name: 'Cordless Drill', path: [tools] });
      const drill2 = updated(drill, { name: 'Cordless Hammer Drill' });
      const saw = snapshot({ name: 'Jig Saw', path: [tools] });
      const envelope = (type: string, payload: unknown, aggregateId: string) => ({
        key: aggregateId,
        value: JSON.stringify({ eventId: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId, payload }),
      });
      await producer.send({
        topic,
        messages: [
          envelope('product.created', drill, drill.productId),
          envelope(
            'product.price_changed',
            { productId: drill.productId, variantId: drill.variants[0]?.variantId, sku: 'x', currency: 'USD', previousAmountMinor: 1999, amountMinor: 2999 },
            drill.productId,
          ),
          envelope('product.updated', drill2, drill.productId),
          envelope('product.created', saw, saw.productId),
          { key: 'junk', value: 'not json' },
        ],
      });
      const result = await reindex({
        prisma: server.db,
        databaseUrl: testDatabaseUrl(),
        source: productReplaySource({ topic, idleTimeoutMs: 15_000 }),
      });
      expect(result).toMatchObject({ snapshots: 3, skipped: 1, pruned: 1 });
      expect(result.written).toBeGreaterThanOrEqual(2); // 3 when the drill's two snapshots land in different batches
      expect(ids(await search(server, { query: 'hammer drill' }))).toEqual([drill.productId]);
      expect(ids(await search(server, { query: 'saw' }))).toEqual([saw.productId]);
      expect((await search(server, { query: 'gadget' })).totalCount).toBe(0);
      // The replay's consumer group is deleted afterwards.
      const groups = await admin.listGroups();
      expect(groups.groups.filter((g) => g.groupId.startsWith('search-reindex-'))).toEqual([]);
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
