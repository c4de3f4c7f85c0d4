import { defineConfig } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'inventory',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_inventory_test database and truncate it.
    fileParallelism: false,
    // The oversell test runs 200 transactions against one row; the Kafka test waits for group joins.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
    env: testEnv,
  },
});
