/**
 * The real subgraph processes, crashed and restarted: for each of orders,
 * inventory, payments, cart, search and notifications, runs the production
 * entry (`subgraphs/<domain>/src/main.ts`, one subgraph per process as in a
 * container) against the `_test` databases, SIGKILLs it, starts it again at
 * once, and measures when every consumer group of that process is Stable
 * again with only the new process's members holding the partitions (from
 * then on it consumes).
 *
 *   flock /tmp/commerce-test.lock npx tsx e2e/reliability/subgraph-crash.ts [--runs 3]
 *
 * Consumer groups are of this run only (KAFKA_GROUP_PREFIX chaos-<run>-<domain>.)
 * and start at the end of their topics; take the test lock, as the test
 * databases are shared. Prints a Markdown table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Math.max(1, Number(args.runs));
const DOMAINS = ['orders', 'inventory', 'payments', 'cart', 'search', 'notifications'] as const;
/** The consumer groups each process runs (the subgraphs start them in the background, after listening). */
const GROUPS: Record<(typeof DOMAINS)[number], string[]> = {
  orders: ['orders'],
  inventory: ['inventory', 'inventory-live'],
  payments: ['payments'],
  cart: ['cart'],
  search: ['search'],
  notifications: ['notifications'],
};
const run = randomUUID().slice(0, 8);
const admin = new Kafka({ clientId: 'subgraph-crash', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();

interface Proc {
  child: ChildProcess;
  spawnedAt: number;
  listeningAt: Promise<number>;
  exited: Promise<void>;
}

function startProcess(domain: string, prefix: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', `subgraphs/${domain}/src/main.ts`], {
    env: {
      ...process.env,
      APP_ENV: 'test',
      [`${domain.toUpperCase()}_PORT`]: '0',
      KAFKA_GROUP_PREFIX: prefix,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAt = Date.now();
  const listeningAt = new Promise<number>((resolve) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('subgraph listening')) {
        resolve(Date.now());
        child.stdout?.off('data', onData);
      }
      if (buffer.length > 100_000) buffer = buffer.slice(-10_000);
    };
    child.stdout?.on('data', onData);
  });
  child.stdout?.resume();
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, spawnedAt, listeningAt, exited };
}

async function groupsOf(prefix: string): Promise<string[]> {
  return (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
}

/** Member ids of the groups, once each is Stable with at least one member that holds partitions. */
async function stableMembers(groupIds: string[]): Promise<Set<string> | undefined> {
  const { groups } = await admin.describeGroups(groupIds);
  const ids = new Set<string>();
  for (const group of groups) {
    if (group.state !== 'Stable' || group.members.length === 0) return undefined;
    if (!group.members.some((m) => m.memberAssignment.length > 0)) return undefined;
    for (const member of group.members) ids.add(member.memberId);
  }
  return ids;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rows: string[] = [];
await admin.connect();
const started: Proc[] = [];
try {
  for (const domain of DOMAINS) {
    const prefix = `chaos-${run}-${domain}.`;
    const listening: number[] = [];
    const moving: number[] = [];
    const groupIds = GROUPS[domain].map((group) => `${prefix}${group}`);
    for (let i = 0; i < RUNS; i++) {
      const first = startProcess(domain, prefix);
      started.push(first);
      await first.listeningAt;
      await until(async () => ((await groupsOf(prefix)).length >= groupIds.length ? true : undefined), 60_000, `${domain}'s consumer groups`);
      const before = await until(() => stableMembers(groupIds), 60_000, `${domain}'s groups to be stable`);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = startProcess(domain, prefix);
      started.push(second);
      const movingAt = await until(
        async () => {
          const now = await stableMembers(groupIds);
          return now && [...now].every((id) => !before.has(id)) ? Date.now() : undefined;
        },
        60_000,
        `${domain}'s groups to move to the new process`,
      );
      const listeningAt = await second.listeningAt;
      listening.push(listeningAt - second.spawnedAt);
      moving.push(movingAt - second.spawnedAt);
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const sorted = [...moving].sort((a, b) => a - b);
    rows.push(
      `| ${domain} | ${groupIds.map((g) => g.slice(prefix.length)).join(', ')} | ${RUNS} | ${seconds(listening.reduce((a, b) => Math.max(a, b), 0))} | ${seconds(sorted[Math.ceil(sorted.length / 2) - 1] ?? Number.NaN)} | ${seconds(Math.max(...moving))} |`,
    );
    process.stdout.write(`${domain}: spawn → consuming ${moving.map(seconds).join(', ')}\n`);
  }
} finally {
  for (const proc of started) proc.child.kill('SIGKILL');
  await admin.disconnect();
}
process.stdout.write(
  `\n| subgraph process | consumer groups | runs | spawn → listening, max | spawn → groups Stable on the new process, p50 | max |\n|---|---|---:|---:|---:|---:|\n${rows.join('\n')}\n`,
);
process.exit(0);
