/**
 * A Kafka broker of the benchmark's own: the same single-node KRaft broker
 * and settings as the development one (packages/infra/src/kafka.ts, whose
 * installed libraries it uses), on free ports with a fresh data directory.
 *
 * Why not the shared broker: the domain topics are fixed names, so on a
 * shared broker the benchmark's inventory and payments would react to every
 * order.placed other test runs publish (and answer them with events those
 * runs' orders would consume), and their consumers to the benchmark's
 * thousands of orders. A broker of its own keeps both apart, and its CPU is
 * the benchmark's alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, DEFAULT_PARTITIONS } from '@commerce/events';
import { ensureKafkaLibs, kafkaJavaArgs, kafkaServerProperties } from '@commerce/infra';

export interface BenchKafka {
  brokers: string;
  pid: number | undefined;
  dataDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The same JVM settings as the development broker (kafkaJavaArgs), on this run's files. */
const javaArgs = (libs: string, log4j: string, mainClass: string, ...args: string[]): string[] =>
  kafkaJavaArgs({ libs, log4jProperties: log4j }, mainClass, ...args);

function runToEnd(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

export async function startBenchKafka(repoRoot: string, run: string): Promise<BenchKafka> {
  const libs = join(repoRoot, '.cache', 'kafka', 'libs');
  // A fresh clone has no broker jars yet: fetch them (Maven) like `npm run infra:up` would.
  await ensureKafkaLibs();
  if (!existsSync(join(libs, '.installed'))) throw new Error(`no Kafka libraries in ${libs} after fetching them`);
  const home = join(repoRoot, '.cache', 'bench-checkout-kafka', run);
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const properties = kafkaServerProperties({ port, controllerPort, dataDir });
  const serverProperties = join(home, 'server.properties');
  writeFileSync(serverProperties, `${Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n')}\n`);
  const log4j = join(home, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  const logFile = join(home, 'kafka.log');

  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const format = spawn('java', javaArgs(libs, log4j, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', serverProperties), { stdio: 'ignore' });
  if ((await runToEnd(format)) !== 0) throw new Error('formatting the bench Kafka storage failed');

  const logFd = openSync(logFile, 'a');
  const broker = spawn('java', javaArgs(libs, log4j, 'kafka.Kafka', serverProperties), { cwd: home, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  broker.once('exit', () => {
    exited = true;
  });
  // Never outlive the benchmark, however it ends.
  process.once('exit', () => {
    if (!exited) broker.kill('SIGKILL');
  });
  const brokers = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => broker.once('exit', () => resolve()));
      broker.kill('SIGTERM');
      const timer = setTimeout(() => broker.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  try {
    // Ready when it answers metadata; then the topics every subgraph expects.
    const admin = new Kafka({ clientId: 'bench-checkout-setup', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (exited) throw new Error(`the bench Kafka broker exited during start-up:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      try {
        await admin.connect();
        await admin.listTopics();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error('the bench Kafka broker did not answer within 120 s');
        await admin.disconnect().catch(() => undefined);
        await sleep(300);
      }
    }
    try {
      await admin.createTopics({ waitForLeaders: true, topics: ALL_TOPICS.map((topic) => ({ topic, numPartitions: DEFAULT_PARTITIONS, replicationFactor: 1 })) });
      for (;;) {
        const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
        if (topics.every((topic) => topic.partitions.length === DEFAULT_PARTITIONS && topic.partitions.every((partition) => partition.leader >= 0))) break;
        if (Date.now() > deadline) throw new Error('bench Kafka topics have no leaders');
        await sleep(200);
      }
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers, pid: broker.pid, dataDir, stop };
}
