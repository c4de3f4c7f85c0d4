/**
 * @commerce/events — typed domain events, transactional outbox + relay
 * (exactly once to Kafka), idempotent consumers with dead-lettering.
 * See README.md in this package for the design.
 */
export * from './topics.js';
export * from './define.js';
export * from './definitions/index.js';
export * from './outbox.js';
export * from './relay.js';
export * from './consumer.js';
export * from './trace.js';
export { OUTBOX_TABLES_DDL } from './sql.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { startInBackground, type BackgroundStart, type BackgroundStartOptions, type BackgroundWorker } from './background.js';
export { silentLogger, type EventLogger } from './logger.js';
export { createKafka, KafkaLogLevel, type KafkaClientOptions } from './kafka.js';
export { kafkajsIdleLoopPatched } from './kafkajs-idle-loop.js';
