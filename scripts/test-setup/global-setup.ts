import { prepareTestEnvironment } from './prepare.js';

/** Runs once per vitest run: infrastructure up, clients generated, test databases migrated. */
export default async function globalSetup(): Promise<void> {
  await prepareTestEnvironment();
}
