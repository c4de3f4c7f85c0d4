/**
 * Apollo Studio: with APOLLO_KEY and APOLLO_GRAPH_REF the router's ApolloServer
 * (a gateway on the static supergraph) sends usage and its schema, here to a
 * local stand-in for Apollo's endpoints; without them it opens no connection at all.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { studioConfigFromEnv, studioPlugins } from '../src/studio.ts';

const supergraphSdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');

interface Received {
  path: string;
  apiKey: string | undefined;
  body: Buffer;
}

let apollo: Server;
let apolloUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true'; // as the router sets it: the gateway's own telemetry is another matter
  apollo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ path: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined, body });
      if (req.url === '/schema') {
        // First report without the schema: ask for it, as Apollo does for a schema it has not seen.
        const withCoreSchema = !body.toString('utf8').includes('"coreSchema":"');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { reportSchema: { __typename: 'ReportSchemaResponse', inSeconds: withCoreSchema ? 0 : 3600, withCoreSchema } } }));
        return;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => apollo.listen(0, '127.0.0.1', () => resolve()));
  apolloUrl = `http://127.0.0.1:${(apollo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => apollo.close(() => resolve()));
});

const STUDIO_ENV = ['APOLLO_KEY', 'APOLLO_GRAPH_REF', 'APOLLO_SCHEMA_REPORTING'] as const;
afterEach(() => {
  for (const name of STUDIO_ENV) delete process.env[name];
  received.length = 0;
});

/** Every outgoing TCP connection this process opens while `fn` runs (http, fetch/undici, anything on `net`). */
async function outgoingConnections(fn: () => Promise<void>): Promise<number> {
  let count = 0;
  const onSocket = (): void => void count++;
  subscribe('net.client.socket', onSocket);
  try {
    await fn();
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
  return count;
}

/** The router's shape: ApolloServer over a gateway on a static supergraph, with the Studio plugins. */
async function serveOneOperation(warnings: string[] = []): Promise<void> {
  const server = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl }),
    plugins: studioPlugins({
      logger: { warn: (message) => warnings.push(message) },
      usageEndpointUrl: apolloUrl,
      schemaEndpointUrl: `${apolloUrl}/schema`,
      sendReportsImmediately: true,
      schemaInitialDelayMaxMs: 1,
    }),
  });
  await server.start();
  // An operation the gateway answers itself: no subgraph is called.
  const response = await server.executeOperation({ query: 'query StudioProbe { __typename }' });
  expect(response.body.kind === 'single' && response.body.singleResult.data).toEqual({ __typename: 'Query' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await server.stop(); // flushes any pending usage report
}

describe('Apollo Studio reporting', () => {
  it('reads its settings from APOLLO_KEY, APOLLO_GRAPH_REF and APOLLO_SCHEMA_REPORTING', () => {
    expect(studioConfigFromEnv({})).toMatchObject({ enabled: false, misconfigured: false });
    expect(studioConfigFromEnv({ APOLLO_KEY: 'k' })).toMatchObject({ enabled: false, misconfigured: true });
    expect(studioConfigFromEnv({ APOLLO_KEY: 'k', APOLLO_GRAPH_REF: 'g@v' })).toEqual({
      enabled: true,
      misconfigured: false,
      graphRef: 'g@v',
      schemaReporting: true,
    });
    expect(studioConfigFromEnv({ APOLLO_KEY: 'k', APOLLO_GRAPH_REF: 'g@v', APOLLO_SCHEMA_REPORTING: 'false' }).schemaReporting).toBe(false);
  });

  it('installs no plugin and opens no connection when APOLLO_KEY and APOLLO_GRAPH_REF are unset', async () => {
    expect(studioPlugins({ config: studioConfigFromEnv({}) })).toEqual([]);
    expect(await outgoingConnections(() => serveOneOperation())).toBe(0);
    expect(received).toEqual([]);
  });

  it('sends nothing, and says why, when only the key is set', async () => {
    process.env.APOLLO_KEY = 'service:commerce:not-a-real-key';
    process.env.APOLLO_SCHEMA_REPORTING = 'true'; // would make Apollo Server install schema reporting on its own
    const warnings: string[] = [];
    expect(await outgoingConnections(() => serveOneOperation(warnings))).toBe(0);
    expect(received).toEqual([]);
    expect(warnings.join('\n')).toMatch(/APOLLO_GRAPH_REF/);
  });

  it('reports usage and the supergraph schema when both are set', async () => {
    process.env.APOLLO_KEY = 'service:commerce:not-a-real-key';
    process.env.APOLLO_GRAPH_REF = 'commerce@test';
    const connections = await outgoingConnections(() => serveOneOperation());
    expect(connections).toBeGreaterThan(0);

    const usage = received.filter((r) => r.path === '/api/ingress/traces');
    expect(usage.length).toBeGreaterThan(0);
    expect(usage[0]?.apiKey).toBe('service:commerce:not-a-real-key');
    // A gzipped protobuf Report: the graph ref and the operation's signature are in it as strings.
    const report = gunzipSync(usage[0]?.body ?? Buffer.alloc(0)).toString('latin1');
    expect(report).toContain('commerce@test');
    expect(report).toContain('StudioProbe');

    const schemaReports = received.filter((r) => r.path === '/schema').map((r) => JSON.parse(r.body.toString('utf8')) as {
      variables: { report: { graphRef: string }; coreSchema: string | null };
    });
    expect(schemaReports.length).toBeGreaterThanOrEqual(2);
    expect(schemaReports[0]?.variables.report.graphRef).toBe('commerce@test');
    // The second report carries the supergraph itself, as the gateway loaded it.
    expect(schemaReports[1]?.variables.coreSchema).toContain('https://specs.apollo.dev/join/');
  });

  it('reports usage only with APOLLO_SCHEMA_REPORTING=false', async () => {
    process.env.APOLLO_KEY = 'service:commerce:not-a-real-key';
    process.env.APOLLO_GRAPH_REF = 'commerce@test';
    process.env.APOLLO_SCHEMA_REPORTING = 'false';
    await serveOneOperation();
    expect(received.some((r) => r.path === '/api/ingress/traces')).toBe(true);
    expect(received.some((r) => r.path === '/schema')).toBe(false);
  });
});
