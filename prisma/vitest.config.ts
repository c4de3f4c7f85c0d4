import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'prisma',
    include: ['test/**/*.test.ts'],
    // Each drift check starts the Prisma 6 CLI with its wasm engine (~1.5 s).
    testTimeout: 60_000,
  },
});
