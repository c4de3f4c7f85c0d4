/**
 * `npm run chaos`: kills and restarts real consumer processes many times and
 * writes what it measured into docs/reliability.md (between the
 * `<!-- chaos:begin -->` and `<!-- chaos:end -->` markers).
 *
 *   npm run chaos                    5 crash runs per consumer group, then the comparisons
 *   npm run chaos -- --runs 20       more runs
 *   npm run chaos -- --quick         crash and planned-stop runs only (no 30 s baseline, no stalls)
 *   npm run chaos -- --no-write      print only
 *
 * Each run: a consumer process (crash/consumer-child.ts) handles a steady
 * stream (one event every 40 ms on a per-run topic), is SIGKILLed mid-stream,
 * and a new process starts at once. Measured: from the new process's first
 * line of code, and from startConsumer resolving, to its first committed
 * event. After every run all events must have exactly one effect.
 * The npm script brings the infrastructure up first (`npm run infra:up`) and
 * uses a scratch database of its own (EVENTS_TEST_DB=ecommerce_events_chaos),
 * so it can run beside `npm test`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kafka, PgPrisma, prepareDatabase, testDatabaseUrl } from '../helpers.js';
import { ChildConsumer, createRunTopic, killAndRestart, Ticker, type ChildOptions, type Recovery } from './crash-lab.js';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false } },
});
const RUNS = Math.max(1, Number(args.runs));
/** The logical consumers of the saga and the read models (their group names). */
const CONSUMERS = ['orders', 'inventory', 'payments', 'cart', 'search', 'notifications'];
const run = randomUUID().slice(0, 8);
const DOC = fileURLToPath(new URL('../../../../docs/reliability.md', import.meta.url));

await prepareDatabase();
const prisma = new PgPrisma(testDatabaseUrl());
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const children: ChildConsumer[] = [];
const cleanups: (() => Promise<void>)[] = [];

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function stopChildren(): Promise<void> {
  const running = children.splice(0);
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(running.map((child) => child.exited));
}

async function exactlyOnce(group: string, ids: string[]): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await prisma.query<{ n: string; distinct_ids: string }>(
      'SELECT count(*) AS n, count(DISTINCT event_id) AS distinct_ids FROM test_effects WHERE consumer = $1',
      [group],
    );
    const n = Number(rows[0]?.n);
    const distinct = Number(rows[0]?.distinct_ids);
    if (distinct >= ids.length) return n === ids.length && distinct === ids.length;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `runs` kill/restart cycles of one group on its own topic, with a steady stream. */
async function cycles(
  name: string,
  runs: number,
  settings: Omit<ChildOptions, 'topic' | 'group'>,
  stop: 'SIGKILL' | 'SIGTERM',
  withSibling = false,
): Promise<{ recoveries: Recovery[]; exact: boolean }> {
  const { topic, remove } = await createRunTopic(`chaos.${run}`);
  cleanups.push(remove);
  const group = `chaos-${run}.${name}.${stop}.${settings.sessionTimeoutMs ?? 'd'}.${settings.evict === false ? 'noevict' : 'evict'}${withSibling ? '.sibling' : ''}`;
  const ticker = new Ticker(producer, topic);
  ticker.start(40);
  const recoveries: Recovery[] = [];
  for (let i = 0; i < runs; i++) {
    // A second replica on "another host" that keeps running through the kill: the group must rebalance around it.
    const sibling = withSibling ? new ChildConsumer({ topic, group, ...settings, instanceId: `sibling-${run}` }) : undefined;
    if (sibling) {
      children.push(sibling);
      await sibling.until((f) => f.at === 'ready', 60_000, 'the sibling replica to join');
    }
    recoveries.push(await killAndRestart({ topic, group, stop, ...settings, timeoutMs: 90_000 }, children));
    await stopChildren();
  }
  await ticker.stop();
  // A last consumer drains what was produced after the final stop.
  children.push(new ChildConsumer({ topic, group, ...settings }));
  const exact = await exactlyOnce(group, ticker.ids);
  await stopChildren();
  process.stdout.write(`${name} ${stop} ${JSON.stringify(settings)}: ${recoveries.map((r) => seconds(r.bootToFirstMs)).join(', ')}; exactly once: ${exact}\n`);
  return { recoveries, exact };
}

function summary(recoveries: Recovery[]): { p50: number; max: number; readyP50: number; readyMax: number; killP50: number; killMax: number } {
  const boot = recoveries.map((r) => r.bootToFirstMs);
  const ready = recoveries.map((r) => r.readyToFirstMs);
  const kill = recoveries.map((r) => r.killToFirstMs);
  return { p50: percentile(boot, 50), max: Math.max(...boot), readyP50: percentile(ready, 50), readyMax: Math.max(...ready), killP50: percentile(kill, 50), killMax: Math.max(...kill) };
}

const lines: string[] = [];
const startedAt = new Date();
try {
  lines.push(`Last run: ${startedAt.toISOString()} (\`npm run chaos -- --runs ${RUNS}${args.quick ? ' --quick' : ''}\`), one event every 40 ms, 3 partitions, a new process started right after each kill.`, '');
  lines.push('**Crash (SIGKILL) and restart, startConsumer defaults** (10 s session, 1 s heartbeat, previous incarnation evicted):', '');
  lines.push('| consumer group | runs | start → first event p50 | max | joined → first event max | kill → first event p50 | max | every event exactly once |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  let allExact = true;
  const every: Recovery[] = [];
  for (const name of CONSUMERS) {
    const { recoveries, exact } = await cycles(name, RUNS, {}, 'SIGKILL');
    allExact &&= exact;
    every.push(...recoveries);
    const s = summary(recoveries);
    lines.push(`| ${name} | ${recoveries.length} | ${seconds(s.p50)} | ${seconds(s.max)} | ${seconds(s.readyMax)} | ${seconds(s.killP50)} | ${seconds(s.killMax)} | ${exact ? 'yes' : '**no**'} |`);
  }
  const all = summary(every);
  lines.push(`| **all** | ${every.length} | ${seconds(all.p50)} | ${seconds(all.max)} | ${seconds(all.readyMax)} | ${seconds(all.killP50)} | ${seconds(all.killMax)} | ${allExact ? 'yes' : '**no**'} |`, '');

  // Eviction off: what is measured is the stop's own LeaveGroup.
  const planned = await cycles('orders', RUNS, { evict: false }, 'SIGTERM');
  const p = summary(planned.recoveries);
  lines.push(`**Planned stop (SIGTERM: drain, commit, LeaveGroup) and restart**, eviction turned off so only the stop's LeaveGroup helps, orders group, ${planned.recoveries.length} runs: start → first event p50 ${seconds(p.p50)}, max ${seconds(p.max)}; exactly once: ${planned.exact ? 'yes' : '**no**'}.`, '');

  const replicas = await cycles('orders', RUNS, {}, 'SIGKILL', true);
  const r = summary(replicas.recoveries);
  lines.push(`**Crash and restart beside a live replica** (a second process of the group, another instance identity, keeps consuming), orders group, ${replicas.recoveries.length} runs: start → first event p50 ${seconds(r.p50)}, max ${seconds(r.max)}; exactly once: ${replicas.exact ? 'yes' : '**no**'}.`, '');

  if (!args.quick) {
    lines.push('**The alternatives, measured the same way** (orders group, crash and restart):', '');
    lines.push('| mechanism | runs | start → first event p50 | max |', '|---|---:|---:|---:|');
    const alternatives: [string, Omit<ChildOptions, 'topic' | 'group'>, number][] = [
      ['kafkajs defaults, before issue 13 (30 s session, 3 s heartbeat, no eviction)', { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, evict: false }, Math.min(RUNS, 2)],
      ['shorter session only (10 s session, 1 s heartbeat, no eviction)', { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, evict: false }, Math.min(RUNS, 3)],
      ["shortest session the broker allows by default (6 s, group.min.session.timeout.ms), 2 s heartbeat, no eviction", { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 2_000, evict: false }, Math.min(RUNS, 3)],
      ['eviction of the previous incarnation with the 30 s session kept', { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, evict: true }, Math.min(RUNS, 3)],
    ];
    for (const [label, settings, runs] of alternatives) {
      const { recoveries } = await cycles('orders', runs, settings, 'SIGKILL');
      const s = summary(recoveries);
      lines.push(`| ${label} | ${runs} | ${seconds(s.p50)} | ${seconds(s.max)} |`);
    }
    lines.push('');

    // False expiries: a handler that stalls the event loop (no heartbeat can go out).
    lines.push('**A stalled event loop** (one handler blocks it; kafkajs heartbeats only from its own loop): was the member expired and the group rebalanced?', '');
    lines.push('| session timeout | stall | rebalanced |', '|---:|---:|---|');
    for (const [session, stall] of [
      [10_000, 5_000],
      [10_000, 8_000],
      [10_000, 12_000],
      [6_000, 5_000],
      [6_000, 8_000],
    ] as const) {
      const { topic, remove } = await createRunTopic(`chaos.${run}`);
      cleanups.push(remove);
      const ticker = new Ticker(producer, topic);
      await ticker.send(3);
      const child = new ChildConsumer({ topic, group: `chaos-${run}.stall.${session}.${stall}`, sessionTimeoutMs: session, heartbeatIntervalMs: Math.min(1_000, session / 3), block: { ms: stall, seq: 1 } });
      children.push(child);
      await child.until((f) => f.at === 'processed' && (f.ids?.length ?? 0) > 0 && Date.now() - f.t >= 0, 60_000, 'the stalled handler');
      await ticker.send(3);
      // Long enough for an expiry to show up as a second join.
      await new Promise((resolve) => setTimeout(resolve, session + 3_000));
      const joins = child.facts.filter((f) => f.at === 'joined').length;
      lines.push(`| ${seconds(session)} | ${seconds(stall)} | ${joins > 1 ? `yes (${joins - 1} rejoin)` : 'no'} |`);
      await stopChildren();
    }
    lines.push('');

    // Heartbeat cost: CPU of an idle consumer process over 20 s.
    lines.push('**Heartbeat cost**: CPU time of an idle consumer process over 20 s (its fetch loop included):', '');
    lines.push('| heartbeat interval | CPU over 20 s |', '|---:|---:|');
    for (const heartbeat of [3_000, 1_000]) {
      const { topic, remove } = await createRunTopic(`chaos.${run}`);
      cleanups.push(remove);
      const child = new ChildConsumer({ topic, group: `chaos-${run}.idle.${heartbeat}`, heartbeatIntervalMs: heartbeat, sessionTimeoutMs: 10_000, cpuAfterMs: 20_000 });
      children.push(child);
      const cpu = await child.until((f) => f.at === 'cpu', 60_000, 'the CPU report');
      lines.push(`| ${seconds(heartbeat)} | ${(cpu.cpuMs ?? Number.NaN).toFixed(0)} ms |`);
      await stopChildren();
    }
    lines.push('');
  }
} finally {
  await stopChildren();
  await producer.disconnect();
  await prisma.$disconnect();
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}

const section = lines.join('\n');
process.stdout.write(`\n${section}\n`);
if (!args['no-write']) {
  const doc = readFileSync(DOC, 'utf8');
  const begin = '<!-- chaos:begin -->';
  const end = '<!-- chaos:end -->';
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${DOC} has no ${begin} … ${end} section`);
  writeFileSync(DOC, `${doc.slice(0, from + begin.length)}\n${section}\n${doc.slice(to)}`);
  process.stdout.write(`written to ${DOC}\n`);
}
process.exit(0);
