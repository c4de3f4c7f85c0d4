/**
 * One bench:router measurement: autocannon against one URL, with the CPU
 * time of every child process, of the load generator and of the machine
 * over the same interval, to see what limited the run.
 */
import { cpus } from 'node:os';
import type { Client } from 'autocannon';
import { type Child, type Children, cpuOf } from './router-children.ts';

export interface LoadOptions {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before measuring; 0 for none. */
  warmup: number;
}

export interface Load {
  url: string;
  query: string;
  /** Bearer tokens, one per connection in turn (signed-in shoppers); none for anonymous load. */
  tokens?: string[];
}

export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU of the process under test, in % of one core, while measured. */
  cpu: number | undefined;
}

/** Busy and total CPU time of the machine so far (all cores, PostgreSQL included). */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const core of cpus()) {
    const { user, nice, sys, irq, idle } = core.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

const cpuPercent = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage, elapsedMs: number): number =>
  ((after.user - before.user + after.system - before.system) / 1000 / elapsedMs) * 100;

function autocannonOptions(load: Load, connections: number) {
  const headers = { 'content-type': 'application/json' };
  const tokens = load.tokens ?? [];
  let next = 0;
  return {
    url: load.url,
    method: 'POST' as const,
    headers,
    body: JSON.stringify({ query: load.query }),
    connections,
    ...(tokens.length > 0
      ? {
          setupClient: (client: Client): void => {
            client.setHeaders({ ...headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` });
          },
        }
      : {}),
  };
}

/** Measures `load`; `measured` is the process whose CPU goes in the row (the gateway under test). */
export async function measure(name: string, load: Load, options: LoadOptions, children: Children, measured?: Child): Promise<Measurement> {
  const { default: autocannon } = await import('autocannon');
  if (options.warmup > 0) await autocannon({ ...autocannonOptions(load, options.connections), duration: options.warmup });
  const live = children.live();
  const before = await Promise.all(live.map((child) => cpuOf(child)));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const started = performance.now();
  const result = await autocannon({ ...autocannonOptions(load, options.connections), duration: options.duration });
  const elapsedMs = performance.now() - started;
  const after = await Promise.all(live.map((child) => cpuOf(child)));
  const usage = live.map((child, index) => ({ child, cpu: cpuPercent(before[index] as NodeJS.CpuUsage, after[index] as NodeJS.CpuUsage, elapsedMs) }));
  const machine = machineCpu();
  const busy = ((machine.busy - machineBefore.busy) / (machine.total - machineBefore.total)) * 100 * cpus().length;
  const breakdown = usage
    .filter((entry) => entry.cpu >= 1)
    .map((entry) => `${entry.child.label} ${Math.round(entry.cpu)}%`)
    .concat(`load generator ${Math.round(cpuPercent(selfBefore, process.cpuUsage(), elapsedMs))}%`, `whole machine ${Math.round(busy)}% of ${cpus().length * 100}%`);
  console.error(`bench:   ${name}: ${Math.round(result.requests.average)} req/s; CPU ${breakdown.join(', ')}`);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.timeouts,
    cpu: usage.find((entry) => entry.child === measured)?.cpu,
  };
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The mean of several runs of one target; failures add up. */
export function combine(runs: Measurement[]): Measurement {
  const cpu = runs.map((run) => run.cpu).filter((value): value is number => value !== undefined);
  return {
    requestsPerSecond: mean(runs.map((run) => run.requestsPerSecond)),
    p50: mean(runs.map((run) => run.p50)),
    p99: mean(runs.map((run) => run.p99)),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    cpu: cpu.length > 0 ? mean(cpu) : undefined,
  };
}
