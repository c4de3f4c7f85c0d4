import { defineProject } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'e2e',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: testEnv,
  },
});
