import { defineProject } from 'vitest/config';
import { testEnv } from '../../vitest.shared.ts';

export default defineProject({
  test: {
    name: 'next-kit',
    include: ['test/**/*.test.ts'],
    env: testEnv,
  },
});
