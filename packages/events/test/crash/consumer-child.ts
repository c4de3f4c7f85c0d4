/**
 * A real consumer in a child process, for the crash-recovery test and
 * `npm run chaos`. It consumes `crash.tick` events from TOPIC in group GROUP,
 * and each handler writes one test_effects row (the side effect).
 *
 * It prints one JSON line per fact to stdout, with a wall-clock `t`:
 *   {"at":"boot"}                  the script runs (imports done)
 *   {"at":"ready"}                 startConsumer resolved (joined its group)
 *   {"at":"processed","ids":[…]}   a transaction with these events committed
 *   {"at":"duplicate","id":…}      a redelivered event was skipped (already processed)
 *   {"at":"stopped"}               SIGTERM: drained, offsets committed, group left
 *
 * CRASH_AFTER_SEQ=n: SIGKILL itself right after the COMMIT of the transaction
 * that handled the event with seq n: the side effect is in the database, the
 * offset is not on Kafka (it is committed on an interval, later).
 * SESSION_TIMEOUT_MS, HEARTBEAT_MS, EVICT=0: group membership settings other
 * than startConsumer's defaults (to measure the alternatives; `npm run chaos`).
 * BLOCK_MS_AT_SEQ=ms:seq: the handler of seq blocks the event loop for ms.
 * CPU_AFTER_MS=ms: reports the process's CPU time once, ms after ready.
 *   {"at":"joined"}                kafkajs joined the group (again, after an expiry)
 *   {"at":"cpu","cpuMs":…}        CPU time (user + system) since ready
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createEventRegistry, defineEvent, KafkaLogLevel, startConsumer, type EventLogger } from '../../src/index.js';
import { z } from 'zod';
import { PgPrisma, type PgTx } from '../helpers.js';

const emit = (fact: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...fact, t: Date.now() })}\n`);
};
emit({ at: 'boot' });

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`consumer-child: ${name} is not set`);
  return value;
};
const topic = env('TOPIC');
const group = env('GROUP');
const crashAfterSeq = process.env.CRASH_AFTER_SEQ ? Number(process.env.CRASH_AFTER_SEQ) : undefined;
const numberEnv = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
const sessionTimeoutMs = numberEnv('SESSION_TIMEOUT_MS');
const heartbeatIntervalMs = numberEnv('HEARTBEAT_MS');
const [blockMs, blockSeq] = (process.env.BLOCK_MS_AT_SEQ ?? '').split(':').map(Number);
const cpuAfterMs = numberEnv('CPU_AFTER_MS');

export const CrashTick = defineEvent({ type: 'crash.tick', version: 1, topic, schema: z.object({ seq: z.number().int() }) });
const registry = createEventRegistry([CrashTick]);

/** The pg-backed runner, reporting each committed transaction's events, and crashing on cue. */
const pg = new PgPrisma(env('DATABASE_URL'));
/** The events handled in the transaction in progress (partitions run concurrently). */
const handledInTx = new AsyncLocalStorage<{ id: string; seq: number }[]>();
const prisma = {
  async $transaction<R>(fn: (tx: PgTx) => Promise<R>): Promise<R> {
    const handled: { id: string; seq: number }[] = [];
    const result = await handledInTx.run(handled, () => pg.$transaction(fn));
    if (handled.length > 0) {
      emit({ at: 'processed', ids: handled.map((h) => h.id) });
      if (crashAfterSeq !== undefined && handled.some((h) => h.seq === crashAfterSeq)) process.kill(process.pid, 'SIGKILL');
    }
    return result;
  },
};

const logger: EventLogger = {
  info: (_obj, msg) => {
    if (msg?.includes('Consumer has joined the group')) emit({ at: 'joined' });
  },
  warn: () => undefined,
  // kafkajs logs a rebalance's heartbeat answers as errors; the library's own errors are what matter here.
  error: (obj, msg) => {
    if (!msg?.startsWith('kafkajs:')) process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`);
  },
  debug: (obj, msg) => {
    if (msg === 'event already processed; skipped' && 'eventId' in obj) emit({ at: 'duplicate', id: (obj as { eventId: string }).eventId });
  },
};

const consumer = await startConsumer({
  group,
  brokers: ['127.0.0.1:9092'],
  prisma,
  registry,
  logger,
  kafkaLogLevel: KafkaLogLevel.INFO,
  ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
  ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
  evictPreviousIncarnation: process.env.EVICT !== '0',
  handlers: {
    'crash.tick': async ({ tx }, event) => {
      await tx.$executeRawUnsafe('INSERT INTO test_effects (consumer, event_id, note) VALUES ($1, $2::uuid, $3)', group, event.eventId, String(event.payload.seq));
      if (event.payload.seq === blockSeq && blockMs) {
        const until = Date.now() + blockMs;
        while (Date.now() < until) {
          // a synchronous stall: no timers, no I/O, no heartbeats
        }
      }
      handledInTx.getStore()?.push({ id: event.eventId, seq: event.payload.seq });
    },
  },
});
emit({ at: 'ready' });
if (cpuAfterMs !== undefined) {
  const before = process.cpuUsage();
  setTimeout(() => {
    const used = process.cpuUsage(before);
    emit({ at: 'cpu', cpuMs: (used.user + used.system) / 1000, overMs: cpuAfterMs });
  }, cpuAfterMs);
}

// A planned stop: finish the transaction in progress, commit offsets, leave the group.
process.once('SIGTERM', () => {
  void consumer
    .stop()
    .then(() => pg.$disconnect())
    .finally(() => {
      emit({ at: 'stopped' });
      process.exit(0);
    });
});
