import { DOMAINS, databaseName, kafkaBrokers, postgresServerUrl, redisUrl } from '@commerce/config';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOPICS, DEFAULT_PARTITIONS } from '../../events/src/topics.js';
import { ensureInfrastructure, isKafkaUp, managedKafkaPid, startKafka, stopKafka, type InfrastructureResult } from './index.js';

let result: InfrastructureResult;

async function topicPartitions(): Promise<Map<string, number>> {
  const admin = new Kafka({ clientId: 'infra-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
    return new Map(topics.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

describe('ensureInfrastructure', () => {
  beforeAll(async () => {
    result = await ensureInfrastructure({ env: 'test' });
  });

  it('creates every Kafka topic with more than one partition', async () => {
    const partitions = await topicPartitions();
    for (const topic of ALL_TOPICS) {
      expect(partitions.get(topic), topic).toBe(DEFAULT_PARTITIONS);
    }
    expect(DEFAULT_PARTITIONS).toBeGreaterThan(1);
  });

  it('leaves Redis answering PING', async () => {
    const redis = new Redis(redisUrl(), { lazyConnect: true });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('creates every test database', async () => {
    const client = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
      const names = new Set(rows.map((r) => r.datname));
      for (const domain of DOMAINS) expect(names, databaseName(domain, 'test')).toContain(databaseName(domain, 'test'));
      expect(result.databases).toEqual(DOMAINS.map((d) => databaseName(d, 'test')));
    } finally {
      await client.end();
    }
  });

  it('is quick and reuses everything when it all runs already', async () => {
    const again = await ensureInfrastructure({ env: 'test' });
    expect(again).toMatchObject({ postgres: 'reused', redis: 'reused', kafka: 'reused' });
    expect(again.durationMs).toBeLessThan(2_000);
  });

  // Stopping the shared broker disturbs anyone else using it at that moment,
  // so this runs only on request: INFRA_RESTART_TEST=1. It needs a broker this
  // project started (a foreign one is never stopped).
  it.runIf(process.env.INFRA_RESTART_TEST === '1')('restarts the broker with its topics intact', async (ctx) => {
    if (managedKafkaPid() === undefined) ctx.skip();
    expect(await stopKafka()).toBe(true);
    expect(await isKafkaUp()).toBe(false);
    expect(await startKafka()).toBe('started');
    expect(await isKafkaUp()).toBe(true);
    const partitions = await topicPartitions();
    for (const topic of ALL_TOPICS) expect(partitions.get(topic), topic).toBe(DEFAULT_PARTITIONS);
  });
});
