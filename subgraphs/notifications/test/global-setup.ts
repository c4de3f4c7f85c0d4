import { migrateDomain } from '@commerce/prisma';

/** Brings ecommerce_notifications_test to the committed migrations (idempotent, and locked against concurrent runs). */
export default async function globalSetup(): Promise<void> {
  process.env.APP_ENV = 'test';
  await migrateDomain('notifications', 'test', { log: () => {} });
}
