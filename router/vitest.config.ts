import { defineProject } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: singleGraphqlRealm },
  test: { name: 'router', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 30_000, env: testEnv },
});
