/**
 * `npm test`: everything CI checks, in one run, failing fast.
 *   1. infrastructure (PostgreSQL, Redis, Kafka in KRaft) is reused or started once
 *   2. Prisma clients are generated; test databases are migrated
 *   3. migrations are proven to match schema.prisma (no drift)
 *   4. the supergraph composes, matches the committed schema/, and has no unacknowledged breaking change
 *   5. every workspace typechecks, then lints with Biome (turbo)
 *   6. the storefront's production build (skipped when .next is a build of the current sources)
 *   7. every test file (unit, integration, e2e) runs in one vitest run
 *   8. the browser journeys (vitest project `browser`): Chromium against the
 *      whole stack and the storefront build, in a run of their own so their
 *      stack does not run beside the other files
 * Extra arguments are passed to a single vitest run instead, e.g. `npm test -- e2e`.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '@commerce/config';
import { ensureStorefrontBuild } from '@commerce/infra';
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
{
  // A build failure fails here, before minutes of tests; the browser set-up then reuses .next.
  const started = performance.now();
  process.stderr.write('\n▶ storefront build\n');
  try {
    const build = ensureStorefrontBuild();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`✔ storefront build (${build.built ? `${seconds}s` : 'up to date, .next reused'})\n`);
  } catch (error) {
    process.stderr.write(`✖ storefront build failed after ${((performance.now() - started) / 1000).toFixed(1)}s: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
if (extraArgs.length > 0) {
  step('tests (vitest)', 'npx', ['vitest', 'run', ...extraArgs]);
} else {
  step('tests (vitest)', 'npx', ['vitest', 'run', '--project', '!browser']);
  step('browser tests (vitest project browser, Chromium)', 'npx', ['vitest', 'run', '--project', 'browser']);
}
process.stderr.write(`\nAll checks passed in ${((performance.now() - started) / 1000).toFixed(0)}s\n`);
// Kafka clients and pools in this process are not ours to wait for.
process.exit(0);
