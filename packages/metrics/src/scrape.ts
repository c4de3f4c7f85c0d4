/**
 * Values read when Prometheus scrapes: each source loads once per scrape at
 * most (its result is kept `ttlMs`, so the several gauges fed by one source,
 * and several scrapers, share one load), and a load slower than `timeoutMs`
 * is abandoned: its gauges are left empty for that scrape, and
 * `metrics_collector_up{collector}` says 0.
 */
import { counter, gauge } from './registry.js';

export interface ScrapeSourceOptions<T> {
  /** Names the source in metrics_collector_up / metrics_collector_errors_total, e.g. `outbox:orders`. */
  name: string;
  load(): Promise<T>;
  /** How long a result is reused (default 1 s; Kafka offsets: 5 s). */
  ttlMs?: number;
  /** Longest a load may take before the scrape goes on without it (default 2 s). */
  timeoutMs?: number;
  onError?(error: unknown): void;
}

export interface ScrapeSource<T> {
  readonly name: string;
  /** The cached value, a fresh one, or undefined when the load failed or timed out. */
  get(): Promise<T | undefined>;
  /** No longer loaded with every scrape. */
  close(): void;
}

/** Every source, so the two gauges below report this scrape's loads, not the previous one's. */
const sources = new Set<ScrapeSource<unknown>>();
async function awaitLoads(): Promise<void> {
  await Promise.all([...sources].map((source) => source.get()));
}

function upGauge() {
  return gauge({
    name: 'metrics_collector_up',
    help: '1 when the collector’s last load on scrape succeeded in time, else 0.',
    labelNames: ['collector'] as const,
    collect: awaitLoads,
  });
}
function errorCounter() {
  return counter({
    name: 'metrics_collector_errors_total',
    help: 'Collector loads on scrape that failed or timed out.',
    labelNames: ['collector', 'reason'] as const,
    collect: awaitLoads,
  });
}

export function scrapeSource<T>(options: ScrapeSourceOptions<T>): ScrapeSource<T> {
  const ttlMs = options.ttlMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const up = upGauge();
  const errors = errorCounter();
  let cached: { at: number; value: Promise<T | undefined> } | undefined;

  const loadBounded = async (): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([options.load(), timeout]);
      if (result === 'timeout') {
        errors.inc({ collector: options.name, reason: 'timeout' });
        up.set({ collector: options.name }, 0);
        return undefined;
      }
      up.set({ collector: options.name }, 1);
      return result;
    } catch (error) {
      errors.inc({ collector: options.name, reason: 'error' });
      up.set({ collector: options.name }, 0);
      options.onError?.(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const source: ScrapeSource<T> = {
    name: options.name,
    get() {
      const now = performance.now();
      if (cached && now - cached.at < ttlMs) return cached.value;
      cached = { at: now, value: loadBounded() };
      return cached.value;
    },
    close() {
      sources.delete(source);
    },
  };
  sources.add(source);
  return source;
}
