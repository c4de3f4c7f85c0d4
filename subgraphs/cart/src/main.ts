/** Process entry: serves the cart subgraph on CART_PORT (default 4003). */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { cartSubgraph } from './subgraph.js';

const running = await startSubgraph(cartSubgraph(), { port: subgraphPort('cart') });
installSignalHandlers(running);
