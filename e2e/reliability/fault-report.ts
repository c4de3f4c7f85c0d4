/**
 * Writes the fault-injection suite's outcomes (the JSON lines that
 * e2e/test/fault-injection.test.ts appends to FAULT_REPORT) into
 * docs/reliability.md, between <!-- faults:begin --> and <!-- faults:end -->.
 *
 *   npx tsx e2e/reliability/fault-report.ts <report.jsonl>
 *
 * `npm run chaos` runs it after the suite.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Fault {
  fault: string;
  orders: number;
  recoveryMs: number;
  restartListeningMs?: number;
}
interface Summary {
  at: string;
  rounds: number;
  wave: number;
  kafka: boolean;
  tookMs: number;
  tally: Record<string, number>;
  stock: { onHand: number; reserved: number; available: number };
  deadLetters: { ours: number; others: number };
  faults: Fault[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: fault-report.ts <report.jsonl>');
const runs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Summary);
if (runs.length === 0) throw new Error(`no outcomes in ${file}`);
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const byFault = new Map<string, Fault[]>();
for (const run of runs) for (const fault of run.faults) byFault.set(fault.fault, [...(byFault.get(fault.fault) ?? []), fault]);
const rows = [...byFault].map(([name, list]) => {
  const times = list.map((f) => f.recoveryMs).sort((a, b) => a - b);
  const listening = list.flatMap((f) => (f.restartListeningMs === undefined ? [] : [f.restartListeningMs]));
  return `| ${name} | ${list.length} | ${list.reduce((n, f) => n + f.orders, 0)} | ${s(times[Math.ceil(times.length / 2) - 1] ?? 0)} | ${s(times.at(-1) ?? 0)} | ${listening.length ? s(Math.max(...listening)) : '–'} |`;
});
const tally: Record<string, number> = {};
for (const run of runs) for (const [status, n] of Object.entries(run.tally)) tally[status] = (tally[status] ?? 0) + n;
const orders = Object.values(tally).reduce((a, b) => a + b, 0);
const last = runs.at(-1) as Summary;
const section = `<!-- faults:begin -->
Last run: ${last.at} (\`npm run chaos\`: ${runs.length} suite run(s), ${last.rounds} round(s) of faults, ${last.wave} checkouts per fault, Kafka broker restart ${last.kafka ? 'included' : 'not included'}).

| fault | times | orders in flight | fault → every order of its wave final, p50 | max | restarted process listening, max |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

Orders: ${orders} (${Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(', ')}). Every one final once, payment intents ≤ 1 per order, stock exact and nothing reserved at the end (last: on hand ${last.stock.onHand}, reserved ${last.stock.reserved}); dead letters naming these orders: ${runs.reduce((n, r) => n + r.deadLetters.ours, 0)}. Nothing lost.
<!-- faults:end -->`;
const doc = 'docs/reliability.md';
const text = readFileSync(doc, 'utf8');
const begin = text.indexOf('<!-- faults:begin -->');
const end = text.indexOf('<!-- faults:end -->');
const next =
  begin >= 0 && end > begin
    ? `${text.slice(0, begin)}${section}${text.slice(end + '<!-- faults:end -->'.length)}`
    : `${text.trimEnd()}\n\n## Faults injected under checkout (the suite of issue 12)\n\n${section}\n`;
writeFileSync(doc, next);
process.stdout.write(`${section}\n`);
