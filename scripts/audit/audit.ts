/**
 * Supply chain: the production dependencies (`npm audit --omit=dev`) against
 * the registry's security advisories. A high or critical advisory fails the
 * step unless scripts/audit/acknowledged.yaml names it with a reason (and,
 * optionally, a date after which the acknowledgement no longer holds).
 *
 *   npx tsx scripts/audit/audit.ts                      fail when the registry cannot be asked
 *   npx tsx scripts/audit/audit.ts --if-unavailable=warn  report it loudly and pass (.ci/run)
 *   npx tsx scripts/audit/audit.ts --from=report.json     decide on a recorded `npm audit --json` output
 *
 * Exit codes: 0 nothing unacknowledged at high or above; 1 at least one;
 * 2 the audit could not be performed (the registry refused or was unreachable).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
const FAILING: ReadonlySet<Severity> = new Set(['high', 'critical']);

/** One advisory as `npm audit --json` (auditReportVersion 2) lists it in a vulnerability's `via`. */
export interface Advisory {
  source: number;
  name: string;
  title: string;
  url: string;
  severity: Severity;
  range: string;
}

interface Vulnerability {
  name: string;
  severity: Severity;
  via: (string | Advisory)[];
  nodes?: string[];
}

export interface AuditReport {
  auditReportVersion: 2;
  vulnerabilities: Record<string, Vulnerability>;
  metadata: { vulnerabilities: Record<Severity | 'total', number>; dependencies: Record<string, number> };
}

export interface Acknowledgement {
  /** The advisory's GHSA id (the last part of its URL), e.g. GHSA-35jh-r3h4-6jhm. */
  id: string;
  /** Why it does not affect us, or what is being done about it. Required. */
  reason: string;
  /** Optional last day (YYYY-MM-DD) the acknowledgement holds; past it the advisory fails again. */
  until?: string;
}

export type AuditOutcome =
  | { kind: 'audited'; failing: Advisory[]; acknowledged: { advisory: Advisory; acknowledgement: Acknowledgement }[]; belowHigh: Advisory[]; unused: Acknowledgement[]; dependencies: number }
  | { kind: 'unavailable'; reason: string };

export const ghsaId = (advisory: Advisory): string => /GHSA-[\w-]+$/i.exec(advisory.url)?.[0] ?? `npm-${advisory.source}`;

/** Checks the acknowledgements file's shape: every entry needs an id and a non-empty reason. */
export function parseAcknowledgements(text: string): Acknowledgement[] {
  const data = (parse(text) ?? {}) as { acknowledged?: unknown };
  const entries = data.acknowledged ?? [];
  if (!Array.isArray(entries)) throw new Error('acknowledged must be a list');
  return entries.map((entry: unknown, index) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.id !== 'string' || !/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(e.id)) throw new Error(`acknowledged[${index}]: id must be a GHSA id (got ${JSON.stringify(e.id)})`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 10) throw new Error(`acknowledged[${index}] (${e.id}): a reason of a sentence is required`);
    const until = e.until instanceof Date ? e.until.toISOString().slice(0, 10) : e.until;
    if (until !== undefined && (typeof until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(until))) throw new Error(`acknowledged[${index}] (${e.id}): until must be YYYY-MM-DD`);
    return { id: e.id, reason: e.reason.trim(), ...(until ? { until } : {}) };
  });
}

/**
 * Reads what `npm audit --json` printed: a report, or npm's error object when
 * the registry refused or could not be reached (then nothing was audited).
 */
export function evaluate(auditJson: string, acknowledgements: Acknowledgement[], today = new Date().toISOString().slice(0, 10)): AuditOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(auditJson);
  } catch {
    return { kind: 'unavailable', reason: `npm audit printed no JSON: ${auditJson.slice(0, 200)}` };
  }
  const report = parsed as Partial<AuditReport> & { message?: string; error?: { summary?: string } };
  if (report.auditReportVersion !== 2 || typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
    return { kind: 'unavailable', reason: report.message ?? report.error?.summary ?? 'npm audit printed no report' };
  }
  // Each advisory once (a package's advisories also reach every package that depends on it as strings).
  const advisories = new Map<string, Advisory>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via) if (typeof via === 'object') advisories.set(`${ghsaId(via)} ${via.name}`, via);
  }
  const byId = new Map(acknowledgements.map((a) => [a.id.toLowerCase(), a]));
  const used = new Set<string>();
  const failing: Advisory[] = [];
  const acknowledged: { advisory: Advisory; acknowledgement: Acknowledgement }[] = [];
  const belowHigh: Advisory[] = [];
  for (const advisory of advisories.values()) {
    if (!FAILING.has(advisory.severity)) {
      belowHigh.push(advisory);
      continue;
    }
    const acknowledgement = byId.get(ghsaId(advisory).toLowerCase());
    if (acknowledgement) used.add(acknowledgement.id);
    if (acknowledgement && (!acknowledgement.until || acknowledgement.until >= today)) acknowledged.push({ advisory, acknowledgement });
    else failing.push(advisory);
  }
  const unused = acknowledgements.filter((a) => !used.has(a.id));
  return { kind: 'audited', failing, acknowledged, belowHigh, unused, dependencies: report.metadata?.dependencies?.prod ?? 0 };
}

const describeAdvisory = (a: Advisory): string => `${a.severity.toUpperCase()} ${a.name} ${a.range}: ${a.title} (${a.url})`;

/** The lines to print and the exit code, for an outcome. */
export function report(outcome: AuditOutcome, options: { ifUnavailable: 'fail' | 'warn' }, today = new Date().toISOString().slice(0, 10)): { lines: string[]; exitCode: number } {
  if (outcome.kind === 'unavailable') {
    const lines = [
      `audit: NOT PERFORMED. The registry did not answer the advisory query: ${outcome.reason}`,
      options.ifUnavailable === 'warn'
        ? 'audit: passing anyway (--if-unavailable=warn): no advisory was checked in this run.'
        : 'audit: failing (pass --if-unavailable=warn to let a run without advisories through).',
    ];
    return { lines, exitCode: options.ifUnavailable === 'warn' ? 0 : 2 };
  }
  const lines = [`audit: ${outcome.dependencies} production dependencies checked against the registry's advisories.`];
  for (const { advisory, acknowledgement } of outcome.acknowledged) {
    lines.push(`audit: acknowledged ${describeAdvisory(advisory)}: ${acknowledgement.reason}${acknowledgement.until ? ` (until ${acknowledgement.until})` : ''}`);
  }
  for (const advisory of outcome.belowHigh) lines.push(`audit: below high, not failing: ${describeAdvisory(advisory)}`);
  for (const a of outcome.unused) lines.push(`audit: acknowledgement ${a.id} matches no current advisory${a.until && a.until < today ? ' and has expired' : ''}; remove it from scripts/audit/acknowledged.yaml`);
  for (const advisory of outcome.failing) lines.push(`audit: FAIL ${describeAdvisory(advisory)}. Upgrade, or acknowledge ${ghsaId(advisory)} with a reason in scripts/audit/acknowledged.yaml.`);
  lines.push(outcome.failing.length === 0 ? 'audit: no unacknowledged high or critical advisory.' : `audit: ${outcome.failing.length} unacknowledged high or critical advisories.`);
  return { lines, exitCode: outcome.failing.length === 0 ? 0 : 1 };
}

export const acknowledgementsPath = (): string => join(fileURLToPath(new URL('.', import.meta.url)), 'acknowledged.yaml');

/** Runs the real `npm audit --omit=dev --json` in the repository (it reads package-lock.json). */
export function runNpmAudit(cwd: string): string {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return result.stdout || result.stderr || String(result.error ?? '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifUnavailable = process.argv.includes('--if-unavailable=warn') ? 'warn' : 'fail';
  const from = process.argv.find((arg) => arg.startsWith('--from='))?.slice('--from='.length);
  const cwd = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const auditJson = from ? readFileSync(from, 'utf8') : runNpmAudit(cwd);
  const outcome = evaluate(auditJson, parseAcknowledgements(readFileSync(acknowledgementsPath(), 'utf8')));
  const { lines, exitCode } = report(outcome, { ifUnavailable });
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exitCode = exitCode;
}
