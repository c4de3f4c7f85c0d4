/**
 * @commerce/metrics — one Prometheus registry per process (prom-client), with
 * the default process metrics, OpenTelemetry-named request metrics, and the
 * handler that serves the text format. Scrape-time collectors for the
 * subgraphs (outbox, pool, Kafka lag, dead letters) are in
 * `@commerce/metrics/collectors`, so the router does not load Kafka or pg.
 */
export { metricsRegistry, counter, gauge, histogram, DURATION_BUCKETS } from './registry.js';
export { graphqlRequestMetrics, firstErrorCode, HTTP_SERVER_DURATION, MAX_OPERATION_NAMES, type GraphQLRequestMetrics, type GraphQLRequestObservation } from './graphql.js';
export { serveMetrics, startMetricsServer, type MetricsServer } from './http.js';
export { scrapeSource, type ScrapeSource, type ScrapeSourceOptions } from './scrape.js';
