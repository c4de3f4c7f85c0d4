/**
 * One Prometheus registry per process, with the default process metrics
 * (event-loop delay, GC, heap and RSS, CPU, open handles), and get-or-create
 * helpers so that several subgraphs in one process (`npm start`) or a module
 * loaded twice register each metric once.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

let processRegistry: Registry | undefined;

/** The process's registry; the default metrics are collected from the first call on. */
export function metricsRegistry(): Registry {
  if (processRegistry) return processRegistry;
  const registry = new Registry();
  // eventLoopMonitoringPrecision: the event-loop delay histogram's sampling period (ms).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  processRegistry = registry;
  return registry;
}

/** Seconds buckets for request durations: 2.5 ms … 10 s. */
export const DURATION_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Config<T> = Omit<T, 'registers'>;

function existing<T>(name: string, kind: new (...args: never[]) => T): T | undefined {
  const found = metricsRegistry().getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) throw new Error(`Metric ${name} is already registered as another type`);
  return found;
}

export function counter<L extends string>(config: Config<CounterConfiguration<L>>): Counter<L> {
  return existing(config.name, Counter<L>) ?? new Counter<L>({ ...config, registers: [metricsRegistry()] });
}

export function gauge<L extends string>(config: Config<GaugeConfiguration<L>>): Gauge<L> {
  return existing(config.name, Gauge<L>) ?? new Gauge<L>({ ...config, registers: [metricsRegistry()] });
}

export function histogram<L extends string>(config: Config<HistogramConfiguration<L>>): Histogram<L> {
  return existing(config.name, Histogram<L>) ?? new Histogram<L>({ buckets: DURATION_BUCKETS, ...config, registers: [metricsRegistry()] });
}
