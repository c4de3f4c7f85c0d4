import { defineConfig } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'notifications',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_notifications_test database and truncate it.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Migrates the test database when this workspace runs on its own (`npm test -w subgraphs/notifications`).
    globalSetup: ['./test/global-setup.ts'],
    env: testEnv,
  },
});
