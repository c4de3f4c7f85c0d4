import { defineProject } from 'vitest/config';
import { testEnv } from '../../vitest.shared.ts';

// Tests talk to the real Redis at REDIS_URL (started by the root global setup, or `npm run infra:up`).
export default defineProject({
  test: {
    name: 'live',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    env: testEnv,
  },
});
