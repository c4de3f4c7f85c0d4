/** Process entry: serves the orders subgraph on ORDERS_PORT (default 4004). */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { ordersSubgraph } from './subgraph.js';

const running = await startSubgraph(ordersSubgraph(), { port: subgraphPort('orders') });
installSignalHandlers(running);
