import { defineProject } from 'vitest/config';
import { testEnv } from '../../vitest.shared.ts';

// Integration tests talk to real PostgreSQL and Kafka (started by the root
// global setup, or `npm run infra:up`); the Kafka-backed ones need more than
// vitest's 5 s default per test.
export default defineProject({
  test: {
    name: 'events',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: testEnv,
  },
});
