import { defineProject } from 'vitest/config';
import { testEnv } from '../../vitest.shared.ts';

export default defineProject({
  test: {
    name: 'http-server',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    env: testEnv,
  },
});
