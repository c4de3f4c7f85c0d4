import { defineConfig } from 'vitest/config';
import { testEnv } from './vitest.shared.ts';

/**
 * One vitest run covers every workspace. Shared infrastructure (PostgreSQL
 * databases, Redis, Kafka) is started once, in the global setup, not per file.
 * Files run one at a time: several of them share a domain's test database.
 */
export default defineConfig({
  test: {
    projects: ['packages/*', 'subgraphs/*', 'router', 'prisma', 'scripts', 'e2e', 'e2e/browser'],
    globalSetup: ['./scripts/test-setup/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    env: testEnv,
  },
});
