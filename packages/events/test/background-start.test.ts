/**
 * A subgraph that boots while Kafka cannot be reached starts consuming once
 * it can (startInBackground), instead of serving for ever without a consumer.
 * The broker is really away at first: the consumer's only bootstrap address
 * is a port where nothing listens until a TCP forwarder to the real broker
 * opens there.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventRegistry, defineEvent, KafkaLogLevel, startConsumer, startInBackground, type EventLogger } from '../src/index.js';
import { createRunTopic } from './crash/crash-lab.js';
import { kafka, PgPrisma, prepareDatabase, testDatabaseUrl, waitFor } from './helpers.js';

const run = randomUUID().slice(0, 8);
let producer: Producer;
let prisma: PgPrisma;

beforeAll(async () => {
  await prepareDatabase();
  prisma = new PgPrisma(testDatabaseUrl());
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await prisma?.$disconnect();
});

/** Error and info lines logged, by message. */
function recordingLogger(): EventLogger & { errors: string[]; infos: string[] } {
  const errors: string[] = [];
  const infos: string[] = [];
  return {
    errors,
    infos,
    info: (_obj, msg) => void infos.push(msg ?? ''),
    warn: () => undefined,
    error: (_obj, msg) => void errors.push(msg ?? ''),
  };
}

/** A port nobody listens on (yet). */
async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Forwards every connection on `port` to the real broker. */
async function forwardToBroker(port: number): Promise<Server> {
  const server = createServer((client) => {
    const broker = connect(9092, '127.0.0.1');
    client.pipe(broker).pipe(client);
    const end = () => { client.destroy(); broker.destroy(); };
    client.on('error', end);
    broker.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('startInBackground', () => {
  it('retries a failing start with backoff until it succeeds, and logs each failure', async () => {
    const logger = recordingLogger();
    let attempts = 0;
    const worker = { stop: async () => undefined };
    const background = startInBackground(
      'test worker',
      async () => {
        attempts++;
        if (attempts < 3) throw new Error(`refused ${attempts}`);
        return worker;
      },
      { logger, backoff: { initialMs: 20, maxMs: 40 } },
    );
    expect(await background.started).toBe(worker);
    expect(attempts).toBe(3);
    expect(logger.errors).toEqual(['test worker did not start; retrying', 'test worker did not start; retrying']);
    expect(logger.infos).toEqual(['test worker started']);
    await background.stop();
  });

  it('stop() during the retries ends them: no further attempt, nothing left running', async () => {
    const logger = recordingLogger();
    let attempts = 0;
    const background = startInBackground('never', async () => {
      attempts++;
      throw new Error('refused');
    }, { logger, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await waitFor(async () => attempts === 1, 5_000, 'the first attempt');
    await background.stop();
    expect(await background.started).toBeUndefined();
    expect(attempts).toBe(1);
  });

  it('a consumer whose broker is away at boot joins once the broker is reachable, and consumes', async () => {
    const { topic, remove } = await createRunTopic(`events-background-test.${run}`);
    const port = await unusedPort();
    const Tick = defineEvent({ type: 'crash.tick', version: 1, topic, schema: z.object({ seq: z.number().int() }) });
    const handled: number[] = [];
    const logger = recordingLogger();
    const background = startInBackground(
      'tick consumer',
      () =>
        startConsumer({
          group: `background-${run}`,
          brokers: [`127.0.0.1:${port}`],
          // Fail fast while nothing listens, so the test sees several attempts in seconds.
          kafkaConfig: { connectionTimeout: 300, retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } },
          kafkaLogLevel: KafkaLogLevel.NOTHING,
          prisma,
          registry: createEventRegistry([Tick]),
          handlers: { 'crash.tick': async (_ctx, event) => void handled.push(event.payload.seq) },
        }),
      { logger, backoff: { initialMs: 200, maxMs: 400 } },
    );
    let forwarder: Server | undefined;
    try {
      await waitFor(async () => logger.errors.length >= 2, 15_000, 'two failed starts while the broker is away');
      forwarder = await forwardToBroker(port);
      const consumer = await background.started;
      expect(consumer).toBeDefined();
      expect(logger.infos).toContain('tick consumer started');
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: 'k', value: JSON.stringify({ eventId: randomUUID(), type: 'crash.tick', version: 1, occurredAt: new Date().toISOString(), aggregateId: 'k', payload: { seq: 7 } }) }],
      });
      await waitFor(async () => handled.includes(7), 20_000, 'the event to be consumed');
    } finally {
      await background.stop();
      forwarder?.close();
      await remove();
    }
  }, 60_000);
});
