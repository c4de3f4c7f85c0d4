export {
  createHttpServer,
  targetOf,
  KEEP_ALIVE_TIMEOUT_MS,
  type HttpServer,
  type HttpServerOptions,
  type RequestTarget,
} from './server.ts';
export { readBody, readGraphQLBody, isJsonContentType, headerEntries, sendTooLarge, PayloadTooLarge } from './body.ts';
export { sendJson, sendGraphQLError, writeGraphQLResponse, type GraphQLHttpResponse } from './respond.ts';
export { requestIdOf } from './request-id.ts';
