/** Process entry: serves the inventory subgraph on INVENTORY_PORT (default 4006). */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { inventorySubgraph } from './subgraph.js';

const running = await startSubgraph(inventorySubgraph(), { port: subgraphPort('inventory') });
installSignalHandlers(running);
