import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

// Vite would resolve `graphql` to its ESM build for our sources while
// @apollo/* load the CommonJS build: two graphql realms, and instanceof checks
// fail. Pin graphql to the build Node loads (as the other workspaces do).
const graphqlDir = dirname(createRequire(import.meta.url).resolve('graphql'));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
    ],
  },
  test: {
    name: 'catalog',
    include: ['test/**/*.test.ts'],
    // The files share the ecommerce_catalog_test database and truncate it.
    fileParallelism: false,
    // The seed test loads ~1,200 products twice.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
    env: { NODE_ENV: 'test', APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
