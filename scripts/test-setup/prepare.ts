import { spawnSync } from 'node:child_process';
import { ensureInfrastructure } from '@commerce/infra';
import { migrateAll } from '@commerce/prisma';
import { repoRoot } from '@commerce/config';

let prepared: Promise<void> | undefined;

/**
 * Idempotent and quick when everything already runs: reuses PostgreSQL, Redis
 * and Kafka if they listen, starts them if not, then generates the Prisma
 * clients and applies committed migrations to every `_test` database.
 */
export function prepareTestEnvironment(): Promise<void> {
  prepared ??= (async () => {
    process.env.APP_ENV = 'test';
    await ensureInfrastructure({ env: 'test' });
    const generate = spawnSync('npm', ['run', '--silent', 'db:generate'], { cwd: repoRoot(), stdio: 'inherit' });
    if (generate.status !== 0) throw new Error('Prisma client generation failed');
    await migrateAll('test');
  })();
  return prepared;
}
