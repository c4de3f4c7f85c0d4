/**
 * A subgraph's /metrics: next to /health and /ready on the subgraph's own
 * port, Prometheus text with its requests by operation name and type, and a
 * path no route may take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { GraphQLError } from 'graphql';
import { createLogger } from '@commerce/observability';
import { startSubgraph, type BaseContext, type RunningSubgraph } from '../src/index.js';

let running: RunningSubgraph;
let closed = 0;

beforeAll(async () => {
  running = await startSubgraph(
    {
      name: 'search',
      typeDefs: gql`
        type Query {
          ping: String!
          broken: String
        }
      `,
      resolvers: {
        Query: {
          ping: () => 'pong',
          broken: () => {
            throw new GraphQLError('no', { extensions: { code: 'BAD_USER_INPUT' } });
          },
        },
      },
      permissions: {},
      createContext: (base: BaseContext) => base,
      metrics: {
        async close() {
          closed += 1;
        },
      },
    },
    { port: 0, host: '127.0.0.1', logger: createLogger({ service: 'kit-metrics-test', level: 'silent' }) },
  );
});

afterAll(() => running?.stop());

const count = async (labels: Record<string, string>): Promise<number> => {
  const text = await (await fetch(running.url.replace('/graphql', '/metrics'))).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('http_server_request_duration_seconds_count{') && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

const post = (query: string) =>
  fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

describe('subgraph /metrics', () => {
  it('counts requests by operation name and type, with the first error code', async () => {
    const ok = { service: 'search', graphql_operation_name: 'Ping', graphql_operation_type: 'query', error_type: '' };
    const failed = { service: 'search', graphql_operation_name: 'Broken', graphql_operation_type: 'query', error_type: 'BAD_USER_INPUT' };
    const before = [await count(ok), await count(failed)];
    await post('query Ping { ping }');
    await post('query Ping { ping }');
    await post('query Broken { broken }');
    expect(await count(ok)).toBe((before[0] ?? 0) + 2);
    expect(await count(failed)).toBe((before[1] ?? 0) + 1);
  });

  it('serves the Prometheus text on GET only, with the process metrics', async () => {
    const response = await fetch(running.url.replace('/graphql', '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('process_resident_memory_bytes');
    expect((await fetch(running.url.replace('/graphql', '/metrics'), { method: 'POST' })).status).toBe(405);
  });

  it('is reserved: no route may take /metrics', async () => {
    await expect(
      startSubgraph({
        name: 'search',
        typeDefs: gql`
          type Query {
            ping: String!
          }
        `,
        resolvers: { Query: { ping: () => 'pong' } },
        createContext: (base: BaseContext) => base,
        routes: { '/metrics': async () => undefined },
      }),
    ).rejects.toThrow(/served by the subgraph kit itself/);
  });

  it('closes the definition’s collectors when the subgraph stops', async () => {
    await running.stop();
    expect(closed).toBe(1);
  });
});
