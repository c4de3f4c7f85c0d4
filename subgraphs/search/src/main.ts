/** Process entry: serves the search subgraph on SEARCH_PORT (default 4008), consumer on. */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { searchSubgraph } from './subgraph.js';

const running = await startSubgraph(searchSubgraph(), { port: subgraphPort('search') });
installSignalHandlers(running);
