/**
 * Creates an administrator, or promotes an existing account and resets its password:
 *   npm run create-admin -w subgraphs/users -- --email ops@example.com --password '...' [--name 'Ops']
 * Without flags it uses ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_NAME, else the dev defaults.
 */
import { parseArgs } from 'node:util';
import { databaseUrl } from '@commerce/config';
import { createLogger } from '@commerce/observability';
import { systemContext } from '../context.js';
import { createPrismaClient } from '../data/prisma.js';
import { adminCredentialsFromEnv, ensureAdmin } from '../service/auth.service.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
});
const defaults = adminCredentialsFromEnv();
const logger = createLogger({ service: 'users', level: 'info' });
const db = createPrismaClient(databaseUrl('users'));

try {
  const admin = await ensureAdmin(
    systemContext(db, logger),
    { email: values.email ?? defaults.email, password: values.password ?? defaults.password, name: values.name ?? defaults.name },
    { resetPassword: true },
  );
  process.stdout.write(`Administrator ${admin.email} (${admin.id}) is ready.\n`);
} catch (error) {
  // Validation problems (weak password, bad email) are AppErrors with a readable message.
  process.stderr.write(`Could not create the administrator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
