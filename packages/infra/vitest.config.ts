import { defineProject } from 'vitest/config';

// The first ensureInfrastructure() on a fresh machine downloads the Kafka jars
// from Maven Central and formats storage, which can take minutes.
export default defineProject({
  test: { name: 'infra', include: ['src/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
});
