/**
 * Local infrastructure for development and tests: PostgreSQL (per-domain
 * databases), Redis and a single-node Kafka broker with every topic.
 *
 * ensureInfrastructure() is idempotent: services that already answer are
 * reused (whoever started them), missing ones are started. When everything
 * runs it only probes, which takes well under a second.
 */
import type { AppEnv } from '@commerce/config';
import { ensureTopics, isKafkaUp, KAFKA_VERSION, kafkaJavaArgs, kafkaServerProperties, kafkaStatus, managedKafkaPid, startKafka, stopKafka, ensureKafkaLibs, type KafkaStatus } from './kafka.js';
import { ensureDatabases, ensurePostgres, ensurePostgresWithDatabases, isPostgresUp } from './postgres.js';
import { ensureRedis, pingRedis } from './redis.js';
import { errorMessage, log, type ServiceOutcome } from './util.js';
import {
  adminDir,
  ensureAdminBuild,
  ensureNextAppBuild,
  ensureStorefrontBuild,
  freePort,
  isNextAppBuildFresh,
  nextAppDir,
  nextAppSourceHash,
  startAdmin,
  startNextApp,
  type NextApp,
  isStorefrontBuildFresh,
  startStorefront,
  storefrontDir,
  storefrontSourceHash,
  type RunningStorefront,
  type StartStorefrontOptions,
  type StorefrontBuildResult,
} from './storefront.js';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, chromiumLaunchOptions, ensureChromium, type EnsureChromiumOptions } from './chromium.js';

export {
  adminDir,
  ensureAdminBuild,
  ensureNextAppBuild,
  isNextAppBuildFresh,
  nextAppDir,
  nextAppSourceHash,
  startAdmin,
  startNextApp,
  ensureStorefrontBuild,
  freePort,
  isStorefrontBuildFresh,
  startStorefront,
  storefrontDir,
  storefrontSourceHash,
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
  chromiumLaunchOptions,
  ensureChromium,
  ensureDatabases,
  ensureKafkaLibs,
  ensurePostgres,
  ensureRedis,
  ensureTopics,
  isKafkaUp,
  isPostgresUp,
  KAFKA_VERSION,
  kafkaJavaArgs,
  kafkaServerProperties,
  kafkaStatus,
  managedKafkaPid,
  pingRedis,
  startKafka,
  stopKafka,
};
export type { NextApp, RunningStorefront, StartStorefrontOptions, StorefrontBuildResult, EnsureChromiumOptions, KafkaStatus, ServiceOutcome };

export interface InfrastructureOptions {
  /** 'test' creates only the _test databases; 'development' creates both sets. */
  env: Extract<AppEnv, 'test' | 'development'>;
}

export interface InfrastructureResult {
  postgres: ServiceOutcome;
  redis: ServiceOutcome;
  kafka: ServiceOutcome;
  /** Every database ensured, e.g. ecommerce_users_test. */
  databases: string[];
  durationMs: number;
}

/**
 * Brings up PostgreSQL (+ databases), Redis and Kafka (+ topics) in parallel.
 * If any of them fails, the error names every service that failed.
 */
export async function ensureInfrastructure(options: InfrastructureOptions): Promise<InfrastructureResult> {
  const startedAt = Date.now();
  const [postgres, redis, kafka] = await Promise.allSettled([
    ensurePostgresWithDatabases(options.env),
    ensureRedis(),
    startKafka(),
  ]);
  const failures = [
    ['PostgreSQL', postgres],
    ['Redis', redis],
    ['Kafka', kafka],
  ] as const;
  const messages = failures.flatMap(([name, result]) => (result.status === 'rejected' ? [`${name}: ${errorMessage(result.reason)}`] : []));
  if (postgres.status === 'rejected' || redis.status === 'rejected' || kafka.status === 'rejected') {
    throw new Error(`Infrastructure is not ready:\n${messages.join('\n')}`);
  }
  const durationMs = Date.now() - startedAt;
  log(`ready in ${(durationMs / 1000).toFixed(1)}s`);
  return { postgres: postgres.value.outcome, redis: redis.value, kafka: kafka.value, databases: postgres.value.databases, durationMs };
}
export { ensurePrometheus, PROMETHEUS_PATH, PROMTOOL_PATH } from './prometheus.js';
