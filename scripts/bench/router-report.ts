/**
 * bench:router's section of docs/benchmarks.md: the router against its
 * peers, stated against issue 10's bars, then one table per scenario.
 */
import type { Measurement } from './router-measure.ts';
import type { ScenarioResult, TargetResult } from './router-scenarios.ts';
import { targets } from './router-targets.ts';

/** Issue 10's bars for the router, uncached, in req/s of the same run. */
const BARS = { hive: 1.5, bare: 3 } as const;

/**
 * Issue 10's absolute goals for the real-subgraph rows, against "today":
 * the anonymous listing at 66 req/s (docs/benchmarks.md, 2026-11-21); the
 * signed-in listing as first measured with this scenario, 2026-12-05.
 */
const GOALS = {
  real: { today: 66, times: 10, p99Below: 50, since: '66 req/s, bench:router 2026-11-21' },
  // The router before issue 10 (commit 0a5c11c with these bench scripts), measured 2026-12-05 on a quiet
  // machine, NODE_ENV=production: signed-in 120 req/s (bare 109); anonymous PostgreSQL listing 121 (bare 124).
  'signed-in': { today: 120, times: 3, p99Below: undefined, since: '120 req/s, the router at 0a5c11c, 2026-12-05' },
} as const;

export interface RunFacts {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  loadAtStart: number;
  loadAtEnd: number;
  connections: number;
  duration: number;
  warmup: number;
  rounds: number;
  hiveVersion: string;
}

const fmtInt = (value: number): string => Math.round(value).toLocaleString('en-US');
const fmtMs = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const fmtRatio = (value: number): string => `${value.toFixed(2)}×`;
const cpuPerRequest = (row: Measurement): number | undefined => (row.cpu === undefined ? undefined : (row.cpu * 10) / row.requestsPerSecond);

const byKey = (result: ScenarioResult, key: string): TargetResult | undefined => result.targets.find((entry) => entry.target.key === key);

function ratioCell(router: TargetResult | undefined, peer: TargetResult | undefined, bar: number): string {
  if (!router || !peer) return '–';
  const ratio = router.combined.requestsPerSecond / peer.combined.requestsPerSecond;
  return `${fmtRatio(ratio)} ${ratio >= bar ? '✓' : '✗'}`;
}

/** One line per scenario: router, Hive Gateway and bare req/s, and the two ratios against the bars. */
function summaryTable(results: ScenarioResult[]): string {
  const lines = [
    `| scenario | router | Hive Gateway | bare | router ÷ Hive (bar ≥ ${BARS.hive}×) | router ÷ bare (bar ≥ ${BARS.bare}×) |`,
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const [router, hive, bare] = [byKey(result, 'router'), byKey(result, 'hive'), byKey(result, 'bare')];
    const reqs = (entry: TargetResult | undefined): string => (entry ? `${fmtInt(entry.combined.requestsPerSecond)} req/s` : '–');
    lines.push(
      `| ${result.scenario.title} | ${reqs(router)} | ${reqs(hive)} | ${reqs(bare)} | ${ratioCell(router, hive, BARS.hive)} | ${ratioCell(router, bare, BARS.bare)} |`,
    );
  }
  return lines.join('\n');
}

/** The issue's absolute goals for the router's real-subgraph rows (cache off, and cache on when measured), where a "today" figure exists. */
function goalLines(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    const key = result.scenario.key;
    if (key !== 'real' && key !== 'signed-in') continue;
    const goal = GOALS[key];
    for (const [targetKey, label] of [
      ['router', 'router'],
      ['router-cached', 'router, response cache on'],
    ] as const) {
      const row = byKey(result, targetKey)?.combined;
      if (!row) continue;
      const p99 = goal.p99Below === undefined ? '' : `; p99 ${fmtMs(row.p99)} (goal below ${goal.p99Below} ms)`;
      lines.push(
        goal.today > 0
          ? `- ${result.scenario.title}, ${label}: ${fmtInt(row.requestsPerSecond)} req/s = ${fmtRatio(row.requestsPerSecond / goal.today)} today's ${goal.since} (goal ≥ ${goal.times}×)${p99}.`
          : `- ${result.scenario.title}, ${label}: ${fmtInt(row.requestsPerSecond)} req/s. This is the baseline of the goal (≥ ${goal.times}× today, ${goal.since}).`,
      );
    }
  }
  return lines;
}

function scenarioTable(result: ScenarioResult): string {
  const lines = ['| target | req/s | p50 | p99 | failed requests | CPU of target | target CPU per request | req/s per round |', '|---|---:|---:|---:|---:|---:|---:|---|'];
  const row = (label: string, measured: Measurement, rounds: string): string => {
    const perRequest = cpuPerRequest(measured);
    return `| ${label} | ${fmtInt(measured.requestsPerSecond)} | ${fmtMs(measured.p50)} | ${fmtMs(measured.p99)} | ${measured.failures} | ${
      measured.cpu === undefined ? '–' : `${Math.round(measured.cpu)}%`
    } | ${perRequest === undefined ? '–' : `${perRequest.toFixed(2)} ms`} | ${rounds} |`;
  };
  for (const entry of result.targets) {
    lines.push(row(entry.target.label, entry.combined, entry.runs.map((run) => fmtInt(run.requestsPerSecond)).join(', ')));
  }
  if (result.direct) lines.push(row('catalog subgraph directly (catalog part only)', result.direct, '–'));
  return lines.join('\n');
}

/** Router ÷ each uncached peer: req/s, latency and CPU per request. */
function ratioLines(result: ScenarioResult): string[] {
  const router = byKey(result, 'router')?.combined;
  if (!router) return [];
  const lines: string[] = [];
  for (const peer of result.targets.filter((entry) => entry.target.key !== 'router' && !entry.target.cached)) {
    const other = peer.combined;
    const routerCpu = cpuPerRequest(router);
    const otherCpu = cpuPerRequest(other);
    const cpu = routerCpu !== undefined && otherCpu !== undefined ? `, CPU per request ${fmtRatio(routerCpu / otherCpu)}` : '';
    lines.push(
      `Router ÷ ${peer.target.label}: **${fmtRatio(router.requestsPerSecond / other.requestsPerSecond)}** req/s, p50 ${fmtRatio(router.p50 / other.p50)}, p99 ${fmtRatio(router.p99 / other.p99)}${cpu}.`,
    );
  }
  for (const cached of result.targets.filter((entry) => entry.target.cached)) {
    lines.push(`${cached.target.label} ÷ router: ${fmtRatio(cached.combined.requestsPerSecond / router.requestsPerSecond)} req/s, p99 ${fmtRatio(cached.combined.p99 / router.p99)}.`);
  }
  if (result.direct) lines.push(`Router ÷ catalog directly: ${fmtRatio(router.requestsPerSecond / result.direct.requestsPerSecond)} req/s.`);
  return lines;
}

function scenarioSection(result: ScenarioResult): string {
  return [
    `### ${result.scenario.title}`,
    '',
    `${result.scenario.about} Answer: ${result.answer}.`,
    '',
    scenarioTable(result),
    '',
    ...ratioLines(result).map((line) => `${line}  `),
  ]
    .join('\n')
    .trimEnd();
}

export function routerSection(results: ScenarioResult[], facts: RunFacts): string {
  const busy = facts.loadAtStart >= facts.cores * 0.75 || facts.loadAtEnd >= facts.cores * 0.75;
  const measuredTargets = new Set(results.flatMap((result) => result.targets.map((entry) => entry.target)));
  return `## Router against its peers (Hive Gateway, bare @apollo/gateway)

Measured ${facts.date} on ${facts.cores} cores (${facts.cpuModel}), Node ${facts.node}, by \`npm run bench:router\`:
autocannon, ${facts.connections} connections, ${facts.warmup} s warmup (first round only) then ${facts.duration} s per run; each row is the
mean of ${facts.rounds} rounds, and every round measures every gateway, in alternating order. Load generator, gateways, subgraphs
and PostgreSQL share these cores, each Node piece in its own process. Load average at start ${facts.loadAtStart.toFixed(1)}, at end
${facts.loadAtEnd.toFixed(1)}${busy ? ' — **the machine was busy: other work competed for the CPU, and req/s is the less reliable column**' : ''}.
Before every round, each gateway's answers are checked identical to the bare gateway's.

${summaryTable(results)}

✓ meets issue 10's bar, ✗ does not. No cache is on in these rows; the router and Hive Gateway de-duplicate identical in-flight subgraph requests (Hive Gateway by default). Cached targets, when measured, have rows of their own below.

${goalLines(results).join('\n')}

${results.map((result) => scenarioSection(result)).join('\n\n')}

${targets
  .filter((target) => measuredTargets.has(target))
  .map((target) => `- *${target.label}*: ${target.legend}`)
  .join('\n')}
- Hive Gateway is \`@graphql-hive/gateway\` ${facts.hiveVersion}.
- *CPU of target*: the measured process, in % of one core; a Node process saturates near 100%. When the target is well
  below that, something else (subgraphs, database, the shared cores) limits the numbers. *CPU per request* barely moves
  when neighbours compete for the cores; req/s does.`.replace(/\n{3,}/g, '\n\n');
}
