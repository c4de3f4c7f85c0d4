// What bench:router uses of autocannon beyond autocannon.d.ts (the two declarations merge):
// per-connection headers, so each connection is one signed-in shopper with a token of its own.
declare module 'autocannon' {
  interface Client {
    /** Replaces all of this connection's request headers. */
    setHeaders(headers: Record<string, string>): void;
  }

  interface Options {
    /** Called once for each connection when it is created. */
    setupClient?: (client: Client) => void;
  }
}
