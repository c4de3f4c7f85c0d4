/**
 * The search read model, replicated into this process and kept as fresh as
 * PostgreSQL: searches, facets and suggestions run in memory (src/replica/),
 * and PostgreSQL answers only "what changed?".
 *
 * - Start: one full load (ACTIVE documents and categories), in batches, built
 *   aside and swapped in.
 * - Freshness: before a search reads the store, one statement asks whether
 *   the change log (search_changes) has anything at or after the watermark;
 *   when it does, the logged documents and categories are re-read and
 *   applied. A search therefore sees every write committed before it began,
 *   as the SQL it replaces did. Concurrent searches share one check (a check
 *   already under way when a search arrives does not count for it: the
 *   search waits for the next one). `maxStalenessMs` > 0 trades that for
 *   fewer checks.
 * - A TRUNCATE in the log, or a replica idle for longer than the log keeps
 *   entries, reloads everything.
 *
 * Any process serving search holds its own replica; the change log, not the
 * event consumer, feeds it, so replicas in processes without a consumer stay
 * fresh too.
 */
import type { Logger } from '@commerce/observability';
import pg from 'pg';
import {
  categoriesById,
  checkChanges,
  LOAD_BATCH,
  loadCategories,
  loadProducts,
  loggedChanges,
  parseWebSearch,
  productsById,
  snapshotXmin,
} from '../data/replica-queries.js';
import { ReplicaStore } from './store.js';
import { parseTsQuery, type TsQuery } from './tsquery.js';

export interface SearchReplicaOptions {
  databaseUrl: string;
  /** How old the store may be when a search reads it; 0 (the default): checked for every search. */
  maxStalenessMs?: number;
  /** Background check interval while idle (default 1 s); 0 turns it off. */
  idleSyncMs?: number;
  logger?: Logger;
}

/** search_changes keeps a day; a replica that has not synced for half of it reloads. */
const MAX_GAP_MS = 12 * 3600_000;
/** Parsed queries kept (websearch_to_tsquery of the same text is always the same). */
const QUERY_CACHE_SIZE = 10_000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

export class SearchReplica {
  private readonly pool: pg.Pool;
  private readonly maxStalenessMs: number;
  private readonly logger: Logger | undefined;
  private store: ReplicaStore | null = null;
  private watermark = '0';
  private syncedAt = 0;
  private syncStartedAt = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly queries = new Map<string, TsQuery | null>();
  private readonly timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: SearchReplicaOptions) {
    // Two connections: the change check and, now and then, a load; searches never wait on a busy pool.
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
    this.pool.on('error', (error) => this.logger?.warn({ err: error }, 'search replica: idle connection failed'));
    this.maxStalenessMs = options.maxStalenessMs ?? 0;
    this.logger = options.logger;
    // Load at once: the first searches wait for this load rather than start their own.
    this.fresh().catch((error: unknown) => this.logger?.warn({ err: error }, 'search replica: first load failed'));
    const idle = options.idleSyncMs ?? 1_000;
    if (idle > 0) {
      this.timer = setInterval(() => {
        if (Date.now() - this.syncStartedAt >= idle) {
          this.fresh().catch((error: unknown) => this.logger?.warn({ err: error }, 'search replica: background sync failed'));
        }
      }, idle);
      this.timer.unref();
    }
  }

  /** The store as fresh as the options ask (loading it first if needed). */
  async current(): Promise<ReplicaStore> {
    const staleOk = this.store !== null && this.maxStalenessMs > 0 && Date.now() - this.syncStartedAt < this.maxStalenessMs;
    if (!staleOk) await this.fresh();
    return this.store as ReplicaStore;
  }

  /** Loads the replica (the subgraph's readiness waits for it). */
  async ready(): Promise<void> {
    await this.fresh();
  }

  /** The parsed websearch_to_tsquery('english', text); null when it uses operators the replica does not evaluate. */
  async tsquery(text: string): Promise<TsQuery | null> {
    if (this.queries.has(text)) return this.queries.get(text) ?? null;
    const parsed = parseTsQuery(await parseWebSearch(this.pool, text));
    if (this.queries.size >= QUERY_CACHE_SIZE) this.queries.delete(this.queries.keys().next().value as string);
    this.queries.set(text, parsed);
    return parsed;
  }

  /** Documents in the store (after the first load). */
  get size(): number {
    return this.store?.activeCount ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([this.running, this.queued]);
    await this.pool.end();
  }

  /** A sync that starts after this call: joins a queued one, or queues one behind the one running. */
  private fresh(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<void> {
    this.syncStartedAt = Date.now();
    const run = this.sync().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async sync(): Promise<void> {
    if (this.stopped) throw new Error('search replica stopped');
    const started = Date.now();
    if (!this.store || started - this.syncedAt > MAX_GAP_MS) await this.reload();
    else await this.catchUp();
    this.syncedAt = started;
  }

  /** A new store from scratch, swapped in when complete. */
  private async reload(): Promise<void> {
    const started = performance.now();
    const xmin = await snapshotXmin(this.pool);
    const store = new ReplicaStore();
    for (const row of await loadCategories(this.pool)) store.upsertCategory(row);
    store.beginBulk();
    for (let after = FIRST_ID; ; ) {
      const rows = await loadProducts(this.pool, after);
      for (const row of rows) store.upsert(row);
      if (rows.length < LOAD_BATCH) break;
      after = (rows[rows.length - 1] as { id: string }).id;
    }
    store.endBulk();
    this.store = store;
    this.watermark = xmin;
    this.logger?.info({ documents: store.activeCount, ms: Math.round(performance.now() - started) }, 'search replica loaded');
  }

  private async catchUp(): Promise<void> {
    const check = await checkChanges(this.pool, this.watermark);
    if (check.changed) {
      const changes = await loggedChanges(this.pool, this.watermark);
      if (changes.truncated) {
        await this.reload();
        return;
      }
      const store = this.store as ReplicaStore;
      if (changes.categories.length > 0) for (const row of await categoriesById(this.pool, changes.categories)) store.upsertCategory(row);
      for (let at = 0; at < changes.products.length; at += LOAD_BATCH) {
        const ids = changes.products.slice(at, at + LOAD_BATCH);
        const rows = new Map((await productsById(this.pool, ids)).map((row) => [row.id, row]));
        for (const id of ids) {
          const row = rows.get(id);
          if (row) store.upsert(row);
          else store.remove(id);
        }
      }
    }
    this.watermark = check.xmin;
  }
}
