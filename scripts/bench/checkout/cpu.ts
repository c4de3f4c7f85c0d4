/**
 * Where the CPU goes during the measured window: CPU time of every process on
 * the machine from /proc (Linux), grouped into our service processes, the load
 * generator, PostgreSQL backends of the bench databases, Kafka, Redis, and
 * everything else (other work on a shared machine), plus the machine's busy time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface CpuSnapshot {
  at: number;
  /** CPU milliseconds (user + system) by pid. */
  processes: Map<number, { ms: number; cmdline: string }>;
  /** Busy and total milliseconds of all cores together, from /proc/stat. */
  machine: { busyMs: number; totalMs: number };
}

export const procAvailable = (): boolean => existsSync('/proc/stat');

function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is the first; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined; // gone meanwhile
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

export function snapshot(): CpuSnapshot {
  const processes = new Map<number, { ms: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ms = processCpuMs(pid);
    if (ms !== undefined) processes.set(pid, { ms, cmdline: cmdlineOf(pid) });
  }
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  const busy = total - idle - iowait;
  return { at: performance.now(), processes, machine: { busyMs: (busy * 1000) / CLOCK_TICKS, totalMs: (total * 1000) / CLOCK_TICKS } };
}

export const OTHER_WORK_LABEL = 'everything else on the machine (other users, kernel)';

export interface CpuShare {
  label: string;
  /** CPU time in the window, in % of one core. */
  percent: number;
  /** CPU milliseconds in the window. */
  ms: number;
}

/**
 * CPU of each group between two snapshots. `label` names a process (or
 * returns undefined for "not ours"); processes that started in between count
 * from zero. The rest of the machine's busy time is "other work".
 */
export function cpuBetween(
  before: CpuSnapshot,
  after: CpuSnapshot,
  label: (pid: number, cmdline: string) => string | undefined,
): { shares: CpuShare[]; machinePercent: number; cores: number } {
  const elapsed = after.at - before.at;
  const byLabel = new Map<string, number>();
  let labelled = 0;
  for (const [pid, now] of after.processes) {
    const name = label(pid, now.cmdline);
    if (name === undefined) continue;
    const then = before.processes.get(pid);
    const ms = Math.max(0, now.ms - (then && then.cmdline === now.cmdline ? then.ms : 0));
    byLabel.set(name, (byLabel.get(name) ?? 0) + ms);
    labelled += ms;
  }
  const machineBusy = after.machine.busyMs - before.machine.busyMs;
  const machineTotal = after.machine.totalMs - before.machine.totalMs;
  const cores = machineTotal / elapsed;
  const shares = [...byLabel].map(([name, ms]) => ({ label: name, ms, percent: (ms / elapsed) * 100 }));
  shares.sort((a, b) => b.ms - a.ms);
  const other = Math.max(0, machineBusy - labelled);
  shares.push({ label: OTHER_WORK_LABEL, ms: other, percent: (other / elapsed) * 100 });
  return { shares, machinePercent: (machineBusy / elapsed) * 100, cores: Math.round(cores) };
}

/**
 * Milliseconds one core takes for a fixed piece of work (SHA-256 and JSON, as
 * a service does). On a shared virtual machine this varies by a quarter or
 * more from hour to hour, with the machine otherwise idle; the report prints it
 * so runs on faster or slower hours can be told apart.
 */
export function referenceWorkMs(): number {
  const started = process.hrtime.bigint();
  let digest = Buffer.alloc(32);
  for (let i = 0; i < 300_000; i += 1) {
    digest = createHash('sha256').update(digest).update(JSON.stringify({ i, lines: [1, 2, 3] })).digest();
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}
