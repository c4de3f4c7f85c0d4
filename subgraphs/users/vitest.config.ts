import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

// Vite would resolve `graphql` to its ESM build for our sources while
// @apollo/* load the CommonJS build: two graphql realms, and instanceof checks
// fail. Pin graphql to the build Node loads (as scripts/vitest.config.ts does).
const graphqlDir = dirname(createRequire(import.meta.url).resolve('graphql'));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
    ],
  },
  test: {
    name: 'users',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_users_test database and truncate it.
    fileParallelism: false,
    // scrypt at N=2^15 costs ~100 ms per hash, and some tests hash many.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
    env: { NODE_ENV: 'test', APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
