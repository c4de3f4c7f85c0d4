import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** Everything one graphql-ws subscription received, for assertions. */
export interface RecordedSubscription<TData> {
  results: FormattedExecutionResult<TData, unknown>[];
  /** What graphql-ws passed to `error`: the GraphQL errors of a refused operation, or the socket's close. */
  errors: unknown[];
  /** True once the subscription completed or failed. */
  done: boolean;
  completed: Promise<void>;
  /** The `data` of every result, in order. */
  data(): TData[];
  close(): Promise<void>;
}

/**
 * Subscribes over graphql-ws to the GraphQL endpoint at `httpUrl` (a router or
 * a subgraph; its ws:// twin is used) and records what arrives. No retries: a
 * test must see a refusal or a dropped socket, not have it papered over.
 */
export function recordSubscription<TData>(
  httpUrl: string,
  request: { query: string; variables?: Record<string, unknown> },
  options: { token?: string } = {},
): RecordedSubscription<TData> {
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    ...(options.token ? { connectionParams: { authorization: `Bearer ${options.token}` } } : {}),
    retryAttempts: 0,
    lazy: true,
  });
  let complete!: () => void;
  const recorded: RecordedSubscription<TData> = {
    results: [],
    errors: [],
    done: false,
    completed: new Promise<void>((resolve) => {
      complete = () => {
        recorded.done = true;
        resolve();
      };
    }),
    data: () => recorded.results.flatMap((result) => (result.data ? [result.data] : [])),
    async close() {
      dispose();
      await client.dispose();
    },
  };
  const dispose = client.subscribe<TData>(
    { query: request.query, variables: request.variables ?? {} },
    {
      next: (result) => recorded.results.push(result),
      error: (error) => {
        recorded.errors.push(error);
        complete();
      },
      complete,
    },
  );
  return recorded;
}
