import { defineProject } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../../vitest.shared.ts';

/**
 * Browser journeys in Debian's Chromium against the whole stack and the
 * storefront's production build. The stack starts once per run for every
 * file (global-setup.ts) and its URLs reach the tests through `inject()`.
 */
export default defineProject({
  resolve: { alias: singleGraphqlRealm },
  test: {
    name: 'browser',
    include: ['**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    setupFiles: ['./support/setup-file.ts'],
    // A real browser on the production build, on a shared 2-core machine: journeys take tens of seconds.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    env: testEnv,
  },
});
