/**
 * Process entry: serves the payments subgraph on PAYMENTS_PORT (default 4005).
 * PAYMENT_PROVIDER=local (default, no network) or stripe (STRIPE_SECRET_KEY,
 * STRIPE_WEBHOOK_SECRET; STRIPE_API_HOST/PORT/PROTOCOL to use the mock).
 */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { paymentsSubgraph } from './subgraph.js';

const running = await startSubgraph(paymentsSubgraph(), { port: subgraphPort('payments') });
installSignalHandlers(running);
