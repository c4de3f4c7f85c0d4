import { defineConfig } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'payments',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_payments_test database and truncate it.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
    env: testEnv,
  },
});
