import { defineConfig } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'users',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_users_test database and truncate it.
    fileParallelism: false,
    // scrypt at N=2^15 costs ~100 ms per hash, and some tests hash many.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Migrates the test database when this workspace runs on its own (`npm test -w subgraphs/users`).
    globalSetup: ['./test/global-setup.ts'],
    env: testEnv,
  },
});
