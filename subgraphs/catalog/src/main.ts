/** Process entry: serves the catalog subgraph on CATALOG_PORT (default 4002). */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { catalogSubgraph } from './subgraph.js';

const running = await startSubgraph(catalogSubgraph(), { port: subgraphPort('catalog') });
installSignalHandlers(running);
