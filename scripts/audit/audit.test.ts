/**
 * The audit step's decisions, on recorded `npm audit --json` output
 * (fixtures/README.md says where each came from), and the committed
 * acknowledgements file's shape.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acknowledgementsPath, evaluate, parseAcknowledgements, report } from './audit.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = (name: string): string => readFileSync(join(here, 'fixtures', name), 'utf8');
const vulnerable = fixture('vulnerable.json');
const LODASH = 'GHSA-35jh-r3h4-6jhm';
const MINIMIST = 'GHSA-xvch-5gv4-984h';
const ack = (id: string, until?: string): string =>
  `acknowledged:\n  - id: ${id}\n    reason: Only reached from a build-time CLI that production never runs.\n${until ? `    until: ${until}\n` : ''}`;

describe('audit: which advisories fail the step', () => {
  it('a high and a critical advisory, none acknowledged: both fail, the moderate one does not', () => {
    const outcome = evaluate(vulnerable, [], '2026-12-05');
    if (outcome.kind !== 'audited') throw new Error(outcome.reason);
    expect(outcome.failing.map((a) => a.url.split('/').at(-1)).sort()).toEqual([LODASH, MINIMIST].sort());
    expect(outcome.belowHigh.map((a) => a.name)).toEqual(['postcss']);
    // minimist's advisory reaches mkdirp too (via: ["minimist"]); it is counted once.
    expect(outcome.failing).toHaveLength(2);
    const { lines, exitCode } = report(outcome, { ifUnavailable: 'fail' }, '2026-12-05');
    expect(exitCode).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL CRITICAL minimist <0\.2\.4: Prototype Pollution in minimist/);
    expect(lines.join('\n')).toMatch(new RegExp(`acknowledge ${LODASH} with a reason`));
  });

  it('acknowledging one leaves the other failing; acknowledging both passes and prints the reasons', () => {
    const one = evaluate(vulnerable, parseAcknowledgements(ack(LODASH)), '2026-12-05');
    if (one.kind !== 'audited') throw new Error(one.reason);
    expect(one.failing.map((a) => a.name)).toEqual(['minimist']);
    expect(one.acknowledged.map((a) => a.advisory.name)).toEqual(['lodash']);
    expect(report(one, { ifUnavailable: 'fail' }).exitCode).toBe(1);

    const both = parseAcknowledgements(`${ack(LODASH)}  - id: ${MINIMIST}\n    reason: mkdirp 0.5.1 is a dev-time tool here; the upgrade is tracked.\n`);
    const outcome = evaluate(vulnerable, both, '2026-12-05');
    if (outcome.kind !== 'audited') throw new Error(outcome.reason);
    expect(outcome.failing).toEqual([]);
    const { lines, exitCode } = report(outcome, { ifUnavailable: 'fail' });
    expect(exitCode).toBe(0);
    expect(lines.join('\n')).toContain('acknowledged HIGH lodash <4.17.21: Command Injection in lodash');
    expect(lines.join('\n')).toContain('Only reached from a build-time CLI');
  });

  it('an acknowledgement past its until date no longer holds', () => {
    const acks = parseAcknowledgements(ack(LODASH, '2026-11-30'));
    const before = evaluate(vulnerable, acks, '2026-11-30');
    const after = evaluate(vulnerable, acks, '2026-12-01');
    if (before.kind !== 'audited' || after.kind !== 'audited') throw new Error('not audited');
    expect(before.failing.map((a) => a.name)).toEqual(['minimist']);
    expect(after.failing.map((a) => a.name).sort()).toEqual(['lodash', 'minimist']);
  });

  it('a clean report passes, and an acknowledgement that matches nothing is reported for removal', () => {
    const clean = JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { total: 0 }, dependencies: { prod: 412 } } });
    const outcome = evaluate(clean, parseAcknowledgements(ack(LODASH)));
    if (outcome.kind !== 'audited') throw new Error(outcome.reason);
    const { lines, exitCode } = report(outcome, { ifUnavailable: 'fail' });
    expect(exitCode).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`acknowledgement ${LODASH} matches no current advisory`));
  });

  it('an acknowledgement without a reason, or with a made-up id, is refused', () => {
    expect(() => parseAcknowledgements(`acknowledged:\n  - id: ${LODASH}\n`)).toThrow(/reason/);
    expect(() => parseAcknowledgements(`acknowledged:\n  - id: ${LODASH}\n    reason: ok\n`)).toThrow(/reason/);
    expect(() => parseAcknowledgements('acknowledged:\n  - id: CVE-2021-23337\n    reason: Not reachable from any code path we run.\n')).toThrow(/GHSA/);
    expect(() => parseAcknowledgements(ack(LODASH, 'soon'))).toThrow(/YYYY-MM-DD/);
  });

  it('a registry that refuses the advisory query: not audited, exit 2, or a loud pass with --if-unavailable=warn', () => {
    const outcome = evaluate(fixture('registry-refused.json'), []);
    expect(outcome).toEqual({ kind: 'unavailable', reason: expect.stringMatching(/405 Method Not Allowed/) });
    expect(report(outcome, { ifUnavailable: 'fail' }).exitCode).toBe(2);
    const warned = report(outcome, { ifUnavailable: 'warn' });
    expect(warned.exitCode).toBe(0);
    expect(warned.lines[0]).toMatch(/NOT PERFORMED/);
  });

  it('the committed acknowledgements file parses, every entry with a reason', () => {
    const acks = parseAcknowledgements(readFileSync(acknowledgementsPath(), 'utf8'));
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(10);
  });

  it('the CLI on a recorded report: exit 1 and the failing advisories on stderr; refused registry: exit 2, or 0 when told to warn', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(here, 'audit.ts'), ...args], { cwd: here, encoding: 'utf8' });
    const failing = cli('--from=fixtures/vulnerable.json');
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('FAIL HIGH lodash');
    expect(cli('--from=fixtures/registry-refused.json').status).toBe(2);
    const warned = cli('--from=fixtures/registry-refused.json', '--if-unavailable=warn');
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/NOT PERFORMED/);
  });
});
