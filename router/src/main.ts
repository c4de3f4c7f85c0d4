/**
 * Router process entry.
 *   tsx router/src/main.ts            serve schema/supergraph.graphql, hot-reload it on change
 *   tsx router/src/main.ts --poll     development: compose from the running subgraphs (or ROUTER_POLL_SUBGRAPHS=true)
 */
import { parseArgs } from 'node:util';
import { initTelemetry, shutdownTelemetry, createLogger } from '@commerce/observability';

// Telemetry first, before node:http and graphql are loaded by the router's
// imports, so instrumentation is in place; it does nothing unless OTEL_* asks.
initTelemetry({ serviceName: 'router' });
const { createRouter } = await import('./router.ts');

const { values } = parseArgs({
  options: {
    poll: { type: 'boolean', default: false },
    port: { type: 'string' },
    supergraph: { type: 'string' },
  },
});

const logger = createLogger({ service: 'router' });
const router = await createRouter({
  logger,
  poll: values.poll || process.env.ROUTER_POLL_SUBGRAPHS === 'true',
  ...(values.port !== undefined ? { port: Number.parseInt(values.port, 10) } : {}),
  ...(values.supergraph !== undefined ? { supergraphPath: values.supergraph } : {}),
});

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'router stopping');
  router
    .stop()
    .then(() => shutdownTelemetry())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'router did not stop cleanly');
        process.exit(1);
      },
    );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
