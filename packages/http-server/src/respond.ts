/** Writing answers: plain JSON, transport errors shaped like GraphQL errors, and Apollo's HTTP responses. */
import type { ServerResponse } from 'node:http';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** A failure outside GraphQL execution, in the shape clients already parse: `{ errors: [...] }`. */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: { extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
): void {
  sendJson(res, status, { errors: [{ message, extensions: { code, ...extra.extensions } }] }, extra.headers);
}

/** The shape of Apollo Server's HTTPGraphQLResponse, without depending on Apollo here. */
export interface GraphQLHttpResponse {
  status?: number | undefined;
  headers: Iterable<[string, string]>;
  body: { kind: 'complete'; string: string } | { kind: 'chunked'; asyncIterator: AsyncIterable<string> };
}

export async function writeGraphQLResponse(res: ServerResponse, response: GraphQLHttpResponse): Promise<void> {
  res.statusCode = response.status ?? 200;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  // Incremental delivery (@defer): write parts as they come.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
