import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AliasOptions } from 'vite';

/**
 * Vite resolves `graphql` to its ESM build (index.mjs) for our sources, while
 * @apollo/* (CommonJS) require index.js: two graphql realms, and instanceof
 * checks fail ("Cannot use GraphQLObjectType from another module or realm").
 * Every project pins graphql to the CommonJS build Node itself would load.
 */
const graphqlDir = dirname(createRequire(import.meta.url).resolve('graphql'));

export const singleGraphqlRealm: AliasOptions = [
  { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
  { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
];

/** Environment every test project runs with. */
export const testEnv = { NODE_ENV: 'test', APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
