/**
 * Runs the mock on its own, e.g. for `PAYMENT_PROVIDER=stripe npm start` with no network:
 *   STRIPE_MOCK_PORT=12111 STRIPE_WEBHOOK_SECRET=whsec_dev STRIPE_WEBHOOK_URL=http://127.0.0.1:4005/webhooks/stripe npm start -w @commerce/stripe-mock
 */
import { startStripeMock } from './server.js';

const port = Number.parseInt(process.env.STRIPE_MOCK_PORT ?? '12111', 10);
const mock = await startStripeMock({
  port,
  host: process.env.STRIPE_MOCK_HOST ?? '127.0.0.1',
  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_development',
  webhookUrl: process.env.STRIPE_WEBHOOK_URL,
});
console.log(
  JSON.stringify({ service: 'stripe-mock', msg: 'listening', url: mock.url, webhookUrl: process.env.STRIPE_WEBHOOK_URL ?? null }),
);
const stop = (): void => {
  void mock.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
