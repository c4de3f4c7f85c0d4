import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineProject } from 'vitest/config';

// Vite resolves `graphql` to its ESM build (index.mjs) for our sources, while
// @apollo/* (CommonJS) require index.js: two graphql realms, and instanceof
// checks fail ("Cannot use GraphQLScalarType from another module or realm").
// Pin every import of graphql to the CommonJS build Node itself would load.
const graphqlDir = dirname(createRequire(import.meta.url).resolve('graphql'));

export default defineProject({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
    ],
  },
  test: { name: 'router', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 30_000 },
});
