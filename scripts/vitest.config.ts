import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineProject } from 'vitest/config';

// Vite resolves `graphql` to its ESM build (index.mjs) for our sources, while
// @apollo/* and @graphql-inspector load the CommonJS index.js: two graphql
// realms, and instanceof checks fail. Pin graphql to the build Node loads.
const graphqlDir = dirname(createRequire(import.meta.url).resolve('graphql'));

export default defineProject({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
    ],
  },
  test: { name: 'scripts', include: ['**/*.test.ts'] },
});
