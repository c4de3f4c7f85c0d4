import { defineProject } from 'vitest/config';
import { singleGraphqlRealm, testEnv } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: singleGraphqlRealm },
  test: { name: 'scripts', include: ['**/*.test.ts'], env: testEnv },
});
