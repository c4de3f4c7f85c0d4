/**
 * `npm test`: everything CI checks, in one run, failing fast.
 *   1. infrastructure (PostgreSQL, Redis, Kafka in KRaft) is reused or started once
 *   2. Prisma clients are generated; test databases are migrated
 *   3. migrations are proven to match schema.prisma (no drift)
 *   4. the supergraph composes, matches the committed schema/, and has no unacknowledged breaking change
 *   5. every workspace typechecks, then lints with Biome (turbo)
 *   6. every test file (unit, integration, e2e) runs in one vitest run
 * Extra arguments are passed to vitest, e.g. `npm test -- e2e`.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '@commerce/config';
import { prepareTestEnvironment } from './test-setup/prepare.js';

const root = repoRoot();
const extraArgs = process.argv.slice(2);

function step(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const started = performance.now();
  process.stderr.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`✖ ${title} failed after ${seconds}s\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`✔ ${title} (${seconds}s)\n`);
}

const started = performance.now();
process.stderr.write('▶ infrastructure, Prisma clients and test databases\n');
await prepareTestEnvironment();
step('migrations match schema.prisma (drift check)', 'npm', ['run', '--silent', 'check-drift', '-w', 'prisma']);
step('supergraph schema check', 'npm', ['run', '--silent', 'schema:check']);
step('typecheck (turbo)', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only'], {
  TURBO_TELEMETRY_DISABLED: '1',
});
step('lint (biome, turbo)', 'npx', ['turbo', 'run', 'lint', '--output-logs=errors-only'], {
  TURBO_TELEMETRY_DISABLED: '1',
});
step('tests (vitest)', 'npx', ['vitest', 'run', ...extraArgs]);
process.stderr.write(`\nAll checks passed in ${((performance.now() - started) / 1000).toFixed(0)}s\n`);
// Kafka clients and pools in this process are not ours to wait for.
process.exit(0);
