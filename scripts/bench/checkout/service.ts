/**
 * One service of the checkout benchmark in a process of its own, as production
 * runs them (one per container): a subgraph with its outbox relay and Kafka
 * consumers, or the router. Forked by scripts/bench/checkout.ts with
 * `--payload <ServicePayload JSON>`; says `ready` with its URL over IPC and
 * stops (draining, consumers leaving their groups) when told to.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import type { FromService, ServicePayload, ToService } from './protocol.ts';

function send(message: FromService): void {
  process.send?.(message);
}

interface Stoppable {
  url: string;
  stop(): Promise<void>;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}

async function start(payload: ServicePayload): Promise<Stoppable> {
  const listen = { port: 0, host: '127.0.0.1' };
  if (payload.role === 'router') {
    const { createRouter } = await import('@commerce/router');
    return createRouter({ ...listen, watch: false, production: true, subgraphUrls: required(payload.subgraphUrls, 'subgraphUrls') });
  }
  const { startSubgraph } = await import('@commerce/subgraph-kit');
  const databaseUrl = required(payload.databaseUrl, 'databaseUrl');
  // Subgraphs are loaded by path (like the other benchmarks) and only the one this process serves.
  switch (payload.role) {
    case 'users': {
      const { usersSubgraph } = await import('../../../subgraphs/users/src/index.ts');
      return startSubgraph(usersSubgraph({ databaseUrl, admin: required(payload.admin, 'admin') }), listen);
    }
    case 'catalog': {
      const { catalogSubgraph } = await import('../../../subgraphs/catalog/src/index.ts');
      return startSubgraph(catalogSubgraph({ databaseUrl }), listen);
    }
    case 'cart': {
      const { cartSubgraph } = await import('../../../subgraphs/cart/src/index.ts');
      return startSubgraph(
        cartSubgraph({ databaseUrl, keyPrefix: required(payload.cartKeyPrefix, 'cartKeyPrefix'), consumerFromBeginning: false }),
        listen,
      );
    }
    case 'orders': {
      const { ordersSubgraph } = await import('../../../subgraphs/orders/src/index.ts');
      return startSubgraph(ordersSubgraph({ databaseUrl, cartUrl: required(payload.cartUrl, 'cartUrl') }), listen);
    }
    case 'payments': {
      const { paymentsSubgraph } = await import('../../../subgraphs/payments/src/index.ts');
      // The embedded provider: no network, pm_card_visa always authorizes.
      return startSubgraph(paymentsSubgraph({ databaseUrl, provider: { kind: 'local' }, consumers: { fromBeginning: false } }), listen);
    }
    case 'inventory': {
      const { inventorySubgraph } = await import('../../../subgraphs/inventory/src/index.ts');
      return startSubgraph(inventorySubgraph({ databaseUrl, consumers: { fromBeginning: false } }), listen);
    }
  }
}

const { values } = parseArgs({ options: { payload: { type: 'string' } } });
const payload = JSON.parse(required(values.payload, '--payload')) as ServicePayload;

try {
  const running = await start(payload);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.stop().finally(() => process.exit(0));
  };
  // A V8 CPU profile of just the measured window, on request (--cpu-prof).
  let session: Session | undefined;
  process.on('message', (message: ToService) => {
    if (message.type === 'stop') stop();
    if (message.type === 'profile-start') {
      void (async () => {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 1000 });
        await session.post('Profiler.start');
        send({ type: 'profiling' });
      })();
    }
    if (message.type === 'profile-stop' && session) {
      const active = session;
      void (async () => {
        const { profile } = await active.post('Profiler.stop');
        writeFileSync(message.path, JSON.stringify(profile));
        active.disconnect();
        send({ type: 'profile-written', path: message.path });
      })();
    }
  });
  // The parent went away without saying stop (crash, Ctrl-C): do not linger.
  process.on('disconnect', stop);
  send({ type: 'ready', url: running.url });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
