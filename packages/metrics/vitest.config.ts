import { defineProject } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'metrics',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    env: testEnv,
  },
});
