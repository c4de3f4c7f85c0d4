/**
 * Process entry of the users subgraph:
 *   tsx --import ../../packages/observability/src/register.ts src/main.ts
 * Listens on USERS_PORT (default 4001); SIGTERM/SIGINT drain and stop.
 */
import { subgraphPort } from '@commerce/config';
import { installSignalHandlers, startSubgraph } from '@commerce/subgraph-kit';
import { usersSubgraph } from './subgraph.js';

const running = await startSubgraph(usersSubgraph(), { port: subgraphPort('users') });
installSignalHandlers(running);
