/**
 * Parent side of the crash experiments: real consumer processes
 * (consumer-child.ts) on a per-run topic, fed by a steady producer, killed
 * and restarted. Shared by crash-recovery.test.ts and `npm run chaos`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Producer } from 'kafkajs';
import { deadLetterTopic } from '../../src/index.js';
import { createTopics, kafka, testDatabaseUrl } from '../helpers.js';

const CHILD = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));

export interface Fact {
  at: 'boot' | 'ready' | 'processed' | 'duplicate' | 'stopped' | 'joined' | 'cpu';
  t: number;
  cpuMs?: number;
  ids?: string[];
  id?: string;
}

/** What a consumer-child runs with; unset settings are startConsumer's defaults. */
export interface ChildOptions {
  topic: string;
  group: string;
  crashAfterSeq?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** false: no eviction of the previous incarnation. */
  evict?: boolean;
  /** The handler of event `seq` blocks the event loop for `ms`. */
  block?: { ms: number; seq: number };
  cpuAfterMs?: number;
  /** KAFKA_CONSUMER_INSTANCE_ID: another host, as far as the group can tell. */
  instanceId?: string;
}

/** One consumer-child process and what it reported. */
export class ChildConsumer {
  readonly facts: Fact[] = [];
  readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly #child: ChildProcess;
  #waiters: (() => void)[] = [];
  #exitedNow = false;

  constructor(env: ChildOptions) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        TOPIC: env.topic,
        GROUP: env.group,
        ...(env.crashAfterSeq === undefined ? {} : { CRASH_AFTER_SEQ: String(env.crashAfterSeq) }),
        ...(env.sessionTimeoutMs === undefined ? {} : { SESSION_TIMEOUT_MS: String(env.sessionTimeoutMs) }),
        ...(env.heartbeatIntervalMs === undefined ? {} : { HEARTBEAT_MS: String(env.heartbeatIntervalMs) }),
        ...(env.evict === false ? { EVICT: '0' } : {}),
        ...(env.block ? { BLOCK_MS_AT_SEQ: `${env.block.ms}:${env.block.seq}` } : {}),
        ...(env.cpuAfterMs === undefined ? {} : { CPU_AFTER_MS: String(env.cpuAfterMs) }),
        ...(env.instanceId === undefined ? {} : { KAFKA_CONSUMER_INSTANCE_ID: env.instanceId }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('{')) this.facts.push(JSON.parse(line) as Fact);
        newline = buffer.indexOf('\n');
      }
      this.#wake();
    });
    this.exited = new Promise((resolve) =>
      this.#child.on('exit', (code, signal) => {
        this.#exitedNow = true;
        this.#wake();
        resolve(signal ?? code);
      }),
    );
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves with the first fact that matches, or rejects after `timeoutMs` or when the process exits first. */
  async until(match: (fact: Fact) => boolean, timeoutMs: number, what: string): Promise<Fact> {
    await this.untilTrue(() => this.facts.some(match), timeoutMs, what);
    return this.facts.find(match) as Fact;
  }

  /** Events this process committed so far. */
  processedCount(): number {
    return this.facts.reduce((sum, f) => sum + (f.at === 'processed' ? (f.ids?.length ?? 0) : 0), 0);
  }

  /** Waits (woken by each report) until `check` holds; rejects on timeout or when the process exits first. */
  async untilTrue(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (check()) return;
      if (this.#exitedNow) throw new Error(`consumer child exited before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  fact(at: Fact['at']): Fact | undefined {
    return this.facts.find((f) => f.at === at);
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.#exitedNow) this.#child.kill(signal);
  }
}

/** The crash.tick envelope consumer-child.ts handles. */
export function tickEnvelope(seq: number): { eventId: string; value: string } {
  const eventId = randomUUID();
  const value = JSON.stringify({ eventId, type: 'crash.tick', version: 1, occurredAt: new Date().toISOString(), aggregateId: `tick-${seq}`, payload: { seq } });
  return { eventId, value };
}

/** Produces ticks onto a topic; `every` ms while running. Remembers each event id by seq. */
export class Ticker {
  readonly ids: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  constructor(
    readonly producer: Producer,
    readonly topic: string,
  ) {}

  async send(count: number): Promise<void> {
    const messages = Array.from({ length: count }, () => {
      const { eventId, value } = tickEnvelope(this.ids.length);
      this.ids.push(eventId);
      return { key: eventId, value, headers: { 'event-id': eventId, 'event-type': 'crash.tick' } };
    });
    await this.producer.send({ topic: this.topic, acks: -1, messages });
  }

  start(everyMs: number): void {
    this.#timer = setInterval(() => {
      this.#sending = this.#sending.then(() => this.send(1)).catch(() => undefined);
    }, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sending;
  }
}

/** A per-run topic (3 partitions) and its dead-letter topic. */
export async function createRunTopic(prefix: string): Promise<{ topic: string; remove(): Promise<void> }> {
  const topic = `${prefix}.${randomUUID().slice(0, 8)}.ticks`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [topic, deadLetterTopic(topic)], 3);
  await admin.disconnect();
  return {
    topic,
    async remove() {
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }).catch(() => undefined);
      await cleanup.disconnect();
    },
  };
}

export interface Recovery {
  /** How the first process ended: a crash (SIGKILL) or a planned stop (SIGTERM). */
  stop: 'SIGKILL' | 'SIGTERM';
  /** From the restarted process's first line of code to its first committed event. */
  bootToFirstMs: number;
  /** From startConsumer resolving (the group joined) to the first committed event; ≤ 0 when events came first. */
  readyToFirstMs: number;
  /** From the kill to the first committed event: includes Node and tsx start-up. */
  killToFirstMs: number;
}

/**
 * One kill/restart: starts a consumer, lets it process `warmup` events of the
 * running ticker, stops it with `stop`, starts a new process at once and
 * measures when it commits its first event.
 */
export async function killAndRestart(
  options: ChildOptions & { stop: 'SIGKILL' | 'SIGTERM'; warmup?: number; timeoutMs?: number },
  children: ChildConsumer[],
): Promise<Recovery> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const first = new ChildConsumer(options);
  children.push(first);
  await first.untilTrue(() => first.processedCount() >= (options.warmup ?? 5), timeoutMs, 'the first consumer to process events');
  const killedAt = Date.now();
  first.kill(options.stop);
  await first.exited;
  const second = new ChildConsumer(options);
  children.push(second);
  const firstEvent = await second.until((f) => f.at === 'processed', timeoutMs, 'the restarted consumer to process an event');
  const boot = second.fact('boot');
  const ready = await second.until((f) => f.at === 'ready', timeoutMs, 'the restarted consumer to be ready');
  return {
    stop: options.stop,
    bootToFirstMs: firstEvent.t - (boot?.t ?? killedAt),
    readyToFirstMs: firstEvent.t - ready.t,
    killToFirstMs: firstEvent.t - killedAt,
  };
}
