import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { gql } from 'graphql-tag';
import { signAccessToken } from '@commerce/auth';
import { badInput, notFound } from '@commerce/errors';
import { createLogger } from '@commerce/observability';
import {
  clampFirst,
  createLoader,
  DateTimeScalar,
  decodeCursor,
  encodeCursor,
  isAdmin,
  isAuthenticated,
  ownerOrAdmin,
  startSubgraph,
  toConnection,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphDefinition,
} from '../src/index.js';

/** A made-up subgraph exercising everything a real one uses. */
const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  scalar DateTime

  type Widget @key(fields: "id") {
    id: ID!
    name: String!
    ownerId: ID!
    createdAt: DateTime!
  }

  type WidgetEdge {
    cursor: String!
    node: Widget!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type WidgetConnection {
    edges: [WidgetEdge!]!
    pageInfo: PageInfo!
  }

  type Query {
    widget(id: ID!): Widget
    widgets(first: Int, after: String): WidgetConnection!
    whoami: String
    boom: String
    badInput: String
    slow: String
    adminOnly: String
    createdBefore(at: DateTime!): Boolean!
  }

  type Mutation {
    createWidget(name: String!): Widget!
    renameWidget(id: ID!, name: String!): Widget!
    deleteWidget(id: ID!): Boolean!
  }
`;

interface Widget {
  id: string;
  name: string;
  ownerId: string;
  createdAt: Date;
}

interface WidgetContext extends BaseContext {
  widgetById: ReturnType<typeof createLoader<string, Widget>>;
}

const widgets: Widget[] = Array.from({ length: 5 }, (_, i) => ({
  id: `w${i + 1}`,
  name: `Widget ${i + 1}`,
  ownerId: i % 2 === 0 ? 'owner-a' : 'owner-b',
  createdAt: new Date(Date.UTC(2024, 0, i + 1)),
}));

let releaseSlow: (() => void) | undefined;
let slowStarted: (() => void) | undefined;
let lastContext: WidgetContext | undefined;

function widgetSubgraph(overrides: Partial<SubgraphDefinition<WidgetContext>> = {}): SubgraphDefinition<WidgetContext> {
  return {
    name: 'catalog',
    typeDefs,
    resolvers: {
      DateTime: DateTimeScalar,
      Query: {
        widget: (_parent: unknown, args: { id: string }, ctx: WidgetContext) => ctx.widgetById.load(args.id),
        widgets: (_parent: unknown, args: { first?: number | null; after?: string | null }) => {
          const first = clampFirst(args.first, 3);
          const afterId = args.after ? String(decodeCursor(args.after)[0]) : undefined;
          const start = afterId ? widgets.findIndex((w) => w.id === afterId) + 1 : 0;
          return toConnection(widgets.slice(start, start + first + 1), first, (w) => encodeCursor([w.id]));
        },
        whoami: (_parent: unknown, _args: unknown, ctx: WidgetContext) => {
          lastContext = ctx;
          return ctx.identity?.userId ?? null;
        },
        boom: () => {
          throw new Error('connection to db-7.internal:5432 refused');
        },
        badInput: () => {
          throw badInput('Name is too long.', 'name');
        },
        slow: async () => {
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
            slowStarted?.();
          });
          return 'done';
        },
        adminOnly: () => 'secret',
        createdBefore: (_parent: unknown, args: { at: Date }) => args.at instanceof Date && args.at > widgets[0]!.createdAt,
      },
      Mutation: {
        createWidget: (_parent: unknown, args: { name: string }, ctx: WidgetContext) => {
          const widget = { id: `w${widgets.length + 1}`, name: args.name, ownerId: ctx.identity!.userId, createdAt: new Date() };
          widgets.push(widget);
          return widget;
        },
        renameWidget: async (_parent: unknown, args: { id: string; name: string }, ctx: WidgetContext) => {
          const widget = await ctx.widgetById.load(args.id);
          if (!widget) throw notFound('Widget', args.id);
          widget.name = args.name;
          return widget;
        },
        deleteWidget: () => true,
      },
      Widget: {
        __resolveReference: (ref: { id: string }, ctx: WidgetContext) => ctx.widgetById.load(ref.id),
      },
    },
    permissions: {
      Query: { adminOnly: isAdmin },
      Mutation: {
        createWidget: isAuthenticated,
        renameWidget: ownerOrAdmin<unknown, { id: string }, WidgetContext>(
          async (_parent, args, ctx) => (await ctx.widgetById.load(args.id))?.ownerId,
        ),
      },
    },
    createContext: (base) => ({
      ...base,
      widgetById: createLoader(
        async (ids: readonly string[]) => widgets.filter((w) => ids.includes(w.id)),
        (w: Widget) => w.id,
      ),
    }),
    ...overrides,
  };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as GraphQLBody };
}

const gqlPost = (url: string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
  post(url, { query, variables }, headers);

const bearer = async (userId: string, roles: ('CUSTOMER' | 'ADMIN')[] = ['CUSTOMER'], ttl?: number) =>
  ({ authorization: `Bearer ${(await signAccessToken({ userId, email: `${userId}@example.com`, roles }, ttl)).token}` });

describe('startSubgraph', () => {
  let running: RunningSubgraph;
  let base: string;

  beforeAll(async () => {
    running = await startSubgraph(widgetSubgraph(), { port: 0, host: '127.0.0.1' });
    base = running.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await running.stop();
  });

  it('reports its address', () => {
    expect(running.name).toBe('catalog');
    expect(running.port).toBeGreaterThan(0);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}/graphql`);
  });

  it('answers /health and /ready', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('runs a query through DataLoader and the DateTime scalar', async () => {
    const { status, json } = await gqlPost(running.url, '{ widget(id: "w2") { id name createdAt } missing: widget(id: "zz") { id } }');
    expect(status).toBe(200);
    expect(json).toEqual({
      data: { widget: { id: 'w2', name: 'Widget 2', createdAt: '2024-01-02T00:00:00.000Z' }, missing: null },
    });
  });

  it('serves GET /graphql', async () => {
    const response = await fetch(`${running.url}?query=${encodeURIComponent('{ widget(id: "w1") { id } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { widget: { id: 'w1' } } });
  });

  it('parses DateTime input and rejects garbage with BAD_USER_INPUT', async () => {
    const ok = await gqlPost(running.url, 'query($at: DateTime!) { createdBefore(at: $at) }', { at: '2025-01-01T00:00:00Z' });
    expect(ok.json.data).toEqual({ createdBefore: true });
    const bad = await gqlPost(running.url, 'query($at: DateTime!) { createdBefore(at: $at) }', { at: 'yesterday' });
    expect(bad.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // graphql-js checks literals during validation, so a bad literal is a validation error (still a 400, never a 500).
    const literal = await gqlPost(running.url, '{ createdBefore(at: "31/01/2024") }');
    expect(literal.status).toBe(400);
    expect(literal.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('keeps federation working under shield: _service and _entities', async () => {
    const sdl = await gqlPost(running.url, '{ _service { sdl } }');
    expect(sdl.json.errors).toBeUndefined();
    expect((sdl.json.data?._service as { sdl: string } | undefined)?.sdl).toContain('type Widget');

    const entities = await gqlPost(
      running.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Widget { id name } } }',
      { r: [{ __typename: 'Widget', id: 'w3' }, { __typename: 'Widget', id: 'nope' }] },
    );
    expect(entities.json).toEqual({ data: { _entities: [{ id: 'w3', name: 'Widget 3' }, null] } });
  });

  it('denies a mutation without a rule with FORBIDDEN, even when signed in', async () => {
    const { json } = await gqlPost(running.url, 'mutation { deleteWidget(id: "w1") }', undefined, await bearer('owner-a'));
    expect(json.data).toBeNull();
    expect(json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('rejects an isAuthenticated mutation without a token with UNAUTHENTICATED', async () => {
    const { status, json } = await gqlPost(running.url, 'mutation { createWidget(name: "x") { id } }');
    expect(status).toBe(200);
    expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets a valid token through and puts the identity in context', async () => {
    const headers = await bearer('owner-a');
    const created = await gqlPost(running.url, 'mutation { createWidget(name: "Mine") { name ownerId } }', undefined, headers);
    expect(created.json).toEqual({ data: { createWidget: { name: 'Mine', ownerId: 'owner-a' } } });

    const who = await post(running.url, { query: '{ whoami }' }, { ...headers, 'x-request-id': 'req-123', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(who.json).toEqual({ data: { whoami: 'owner-a' } });
    expect(who.headers.get('x-request-id')).toBe('req-123');
    expect(lastContext?.identity).toMatchObject({ userId: 'owner-a', roles: ['CUSTOMER'] });
    expect(lastContext?.requestId).toBe('req-123');
    expect(typeof lastContext?.logger.info).toBe('function');
    // Telemetry is off here, so the caller's trace context is passed through for events.
    expect(lastContext?.traceContext).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  });

  it('applies owner-or-admin rules', async () => {
    const rename = 'mutation($id: ID!) { renameWidget(id: $id, name: "Renamed") { name } }';
    const stranger = await gqlPost(running.url, rename, { id: 'w1' }, await bearer('owner-b'));
    expect(stranger.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const owner = await gqlPost(running.url, rename, { id: 'w1' }, await bearer('owner-a'));
    expect(owner.json).toEqual({ data: { renameWidget: { name: 'Renamed' } } });
    const admin = await gqlPost(running.url, rename, { id: 'w2' }, await bearer('root', ['ADMIN']));
    expect(admin.json).toEqual({ data: { renameWidget: { name: 'Renamed' } } });
    const anonymous = await gqlPost(running.url, rename, { id: 'w1' });
    expect(anonymous.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('applies isAdmin on a query field without touching its siblings', async () => {
    const customer = await gqlPost(running.url, '{ adminOnly widget(id: "w1") { id } }', undefined, await bearer('owner-a'));
    expect(customer.json.data).toEqual({ adminOnly: null, widget: { id: 'w1' } });
    expect(customer.json.errors?.[0]).toMatchObject({ path: ['adminOnly'], extensions: { code: 'FORBIDDEN' } });
    const admin = await gqlPost(running.url, '{ adminOnly }', undefined, await bearer('root', ['ADMIN']));
    expect(admin.json).toEqual({ data: { adminOnly: 'secret' } });
  });

  it('rejects an expired or forged token with UNAUTHENTICATED and no stack', async () => {
    for (const authorization of [
      (await bearer('owner-a', ['CUSTOMER'], -10)).authorization,
      'Bearer not-a-jwt',
      'Basic dXNlcjpwYXNz',
    ]) {
      const { status, json, text } = await gqlPost(running.url, '{ whoami }', undefined, { authorization });
      expect(status).toBe(200);
      expect(json.data).toBeUndefined();
      expect(json.errors).toHaveLength(1);
      expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    }
  });

  it('masks a plain Error as INTERNAL_SERVER_ERROR without message or stack', async () => {
    const { json, text } = await gqlPost(running.url, '{ boom widget(id: "w1") { id } }');
    expect(json.data).toEqual({ boom: null, widget: { id: 'w1' } });
    expect(json.errors?.[0]).toEqual({
      message: 'Something went wrong on our side. Please try again.',
      locations: [{ line: 1, column: 3 }],
      path: ['boom'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(text).not.toContain('db-7.internal');
    expect(text).not.toContain('stacktrace');
  });

  it('logs a hidden error once, with the request id, and no AppErrors', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
        callback();
      },
    });
    const logged = await startSubgraph(widgetSubgraph(), {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ service: 'catalog', level: 'info', destination }),
    });
    try {
      await post(logged.url, { query: '{ boom badInput }' }, { 'x-request-id': 'req-boom' });
      const errors = lines.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ requestId: 'req-boom', path: ['boom'], msg: 'internal error hidden from client' });
      expect((errors[0]?.err as { message: string } | undefined)?.message).toBe('connection to db-7.internal:5432 refused');
    } finally {
      await logged.stop();
    }
  });

  it('passes AppError codes and details through', async () => {
    const { json } = await gqlPost(running.url, '{ badInput }');
    expect(json.errors?.[0]).toMatchObject({ message: 'Name is too long.', extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
  });

  it('answers a malformed JSON body with 400 and a GraphQL error', async () => {
    const { status, json } = await post(running.url, '{"query": "{ whoami }"');
    expect(status).toBe(400);
    expect(json).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers a chain of 5,000 fragments, each spreading the next, with 400 GRAPHQL_PARSE_FAILED (a 500 before)', async () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => `fragment F${i} on Query { ${i < 4_999 ? `...F${i + 1}` : 'whoami'} }`);
    const { status, json } = await gqlPost(running.url, `query Chain { ...F0 }\n${chain.join('\n')}`);
    expect(status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(json.errors?.[0]?.message).toMatch(/15000 tokens/);
  });

  it('answers validation errors with GRAPHQL_VALIDATION_FAILED', async () => {
    const { status, json } = await gqlPost(running.url, '{ nope }');
    expect(status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('rejects an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    const small = await startSubgraph(widgetSubgraph(), { port: 0, host: '127.0.0.1', maxBodyBytes: 64 });
    try {
      const { status, json } = await gqlPost(small.url, `{ whoami ${' '.repeat(200)} }`);
      expect(status).toBe(413);
      expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.stop();
    }
  });

  it('paginates with cursors and rejects garbage cursors with INVALID_CURSOR', async () => {
    const page = 'query($after: String) { widgets(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
    const first = await gqlPost(running.url, page);
    const connection = first.json.data?.widgets as {
      edges: { cursor: string; node: { id: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(connection.edges.map((e) => e.node.id)).toEqual(['w1', 'w2']);
    expect(connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: connection.edges[1]!.cursor });
    const second = await gqlPost(running.url, page, { after: connection.pageInfo.endCursor });
    expect((second.json.data?.widgets as typeof connection | undefined)?.edges.map((e) => e.node.id)).toEqual(['w3', 'w4']);

    for (const after of ['garbage!!', 'bm90LWpzb24', encodeCursor([]).slice(0, 2), Buffer.from('{"a":1}').toString('base64url')]) {
      const bad = await gqlPost(running.url, page, { after });
      expect(bad.json.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');
    }
  });

  it('introspects outside production', async () => {
    const { json } = await gqlPost(running.url, '{ __schema { queryType { name } } }');
    expect(json.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('readiness and graceful shutdown', () => {
  it('reports 503 when def.ready() fails', async () => {
    let healthy = false;
    const running = await startSubgraph(
      widgetSubgraph({
        ready: async () => {
          if (!healthy) throw new Error('database unreachable');
        },
      }),
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const base = running.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/ready`)).status).toBe(503);
      healthy = true;
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it('stops being ready, drains in-flight requests, then calls def.stop()', async () => {
    const events: string[] = [];
    const running = await startSubgraph(
      widgetSubgraph({
        stop: async () => {
          events.push('def.stop');
        },
      }),
      { port: 0, host: '127.0.0.1', shutdownDelayMs: 300 },
    );
    const base = running.url.replace(/\/graphql$/, '');

    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const inFlight = gqlPost(running.url, '{ slow }');
    await started;

    const stopped = running.stop().then(() => events.push('stopped'));
    // During the shutdown delay the server still answers, but is no longer ready.
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'shutting_down' });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(events).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual([]); // still draining: the slow request holds the shutdown
    events.push('released');
    releaseSlow?.();
    const answer = await inFlight;
    expect(answer.json).toEqual({ data: { slow: 'done' } });
    await stopped;
    expect(events).toEqual(['released', 'def.stop', 'stopped']);

    // No longer accepting connections.
    await expect(
      new Promise((resolve, reject) => {
        const req = httpRequest(`${base}/health`, resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await running.stop(); // idempotent
  });
});

describe('routes', () => {
  it('serves POST on a route with the raw body, 405 on other methods, 413 past the body limit, 500 without details on a throw', async () => {
    const seen: { body: string; signature: string | undefined }[] = [];
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'error',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
          callback();
        },
      }),
    });
    const running = await startSubgraph(
      widgetSubgraph({
        routes: {
          '/webhooks/test': async (req, res, rawBody) => {
            seen.push({ body: rawBody.toString('utf8'), signature: req.headers['x-signature'] as string | undefined });
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ received: true }));
          },
          '/webhooks/broken': async () => {
            throw new Error('secret detail at db-7.internal');
          },
        },
      }),
      { port: 0, host: '127.0.0.1', maxBodyBytes: 64, logger },
    );
    try {
      const base = running.url.replace(/\/graphql$/, '');
      // Bytes exactly as sent: whitespace and key order kept (signatures are over the raw body).
      const raw = '{ "b":1,  "a": "é" }';
      const ok = await fetch(`${base}/webhooks/test`, { method: 'POST', headers: { 'x-signature': 'sig' }, body: raw });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ received: true });
      expect(ok.headers.get('x-request-id')).toBeTruthy();
      expect(seen).toEqual([{ body: raw, signature: 'sig' }]);

      const get = await fetch(`${base}/webhooks/test`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');

      const big = await fetch(`${base}/webhooks/test`, { method: 'POST', body: 'x'.repeat(100) });
      expect(big.status).toBe(413);
      expect(seen).toHaveLength(1);

      const broken = await fetch(`${base}/webhooks/broken`, { method: 'POST', body: '{}' });
      expect(broken.status).toBe(500);
      const text = await broken.text();
      expect(text).not.toMatch(/secret detail|db-7|stack|\.ts:\d+/);
      expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      expect(lines.some((line) => line.msg === 'request failed outside GraphQL execution')).toBe(true);

      // Unknown paths stay 404, and /graphql is unaffected.
      expect((await fetch(`${base}/webhooks/other`, { method: 'POST', body: '{}' })).status).toBe(404);
      const { json } = await gqlPost(running.url, '{ widget(id: "w1") { id } }');
      expect(json.data).toEqual({ widget: { id: 'w1' } });
    } finally {
      await running.stop();
    }
  });

  it('refuses routes that take the kit’s own paths or are not absolute', async () => {
    await expect(startSubgraph(widgetSubgraph({ routes: { '/graphql': async () => {} } }), { port: 0 })).rejects.toThrow(/served by the subgraph kit/);
    await expect(startSubgraph(widgetSubgraph({ routes: { 'webhooks': async () => {} } }), { port: 0 })).rejects.toThrow(/absolute path/);
  });
});
