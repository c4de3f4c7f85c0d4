/**
 * A local single-node Kafka broker (KRaft, combined broker+controller) run
 * straight from Maven Central jars: no Docker and no Kafka tarball needed,
 * only `java` and `mvn`. Everything lives under <repo>/.cache/kafka:
 *
 *   libs/              jars copied by `mvn dependency:copy-dependencies`
 *   libs/.installed    marker: Kafka version + hash of the POM the jars came from
 *   data/              KRaft metadata and topic logs (formatted once)
 *   server.properties  regenerated on every start
 *   kafka.log          broker stdout/stderr
 *   kafka.pid          pid of the broker this project started
 *
 * Topics persist in data/, so stopKafka() + startKafka() keeps them.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers } from '@commerce/config';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ALL_TOPICS, DEFAULT_PARTITIONS } from '../../events/src/topics.js';
import {
  cacheDir,
  errorCode,
  isLocalHost,
  isPidAlive,
  isPortOpen,
  log,
  parseHostPort,
  processCommandLine,
  run,
  sleep,
  tail,
  type RunResult,
  type ServiceOutcome,
  waitUntil,
  withLock,
} from './util.js';

/** Newest 3.9 patch on Maven Central; kafkajs 2.2.4 is only known to work well with 3.x brokers. */
export const KAFKA_VERSION = '3.9.2';
const JVM_HEAP = '512m';
const START_TIMEOUT_MS = 90_000;

const POM_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'kafka', 'pom.xml');

export const kafkaPaths = () => {
  const home = join(cacheDir(), 'kafka');
  return {
    home,
    libs: join(home, 'libs'),
    marker: join(home, 'libs', '.installed'),
    data: join(home, 'data'),
    serverProperties: join(home, 'server.properties'),
    log4jProperties: join(home, 'log4j.properties'),
    logFile: join(home, 'kafka.log'),
    pidFile: join(home, 'kafka.pid'),
    lock: join(home, '.lock'),
  };
};

/** The broker address we manage: the single configured broker, when it is on this machine. */
function localBroker(): { host: string; port: number } | undefined {
  const brokers = kafkaBrokers();
  if (brokers.length !== 1 || !brokers[0]) return undefined;
  const broker = parseHostPort(brokers[0], 9092);
  return isLocalHost(broker.host) ? broker : undefined;
}

function firstBroker(): { host: string; port: number } {
  const first = kafkaBrokers()[0];
  if (!first) throw new Error('KAFKA_BROKERS is empty');
  return parseHostPort(first, 9092);
}

/**
 * Short timeouts and no retries: used for probing. kafkajs logs every failed
 * connection attempt at ERROR level, which is noise while the broker boots,
 * so its logger is silenced and failures surface as thrown errors instead.
 */
function kafkaClient(retries: number): Kafka {
  return new Kafka({
    clientId: 'commerce-infra',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    retry: { retries, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
}

async function withAdmin<T>(retries: number, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient(retries).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** True when a broker answers a metadata request (not merely when its port is open). */
export async function isKafkaUp(): Promise<boolean> {
  const { host, port } = firstBroker();
  if (!(await isPortOpen(host, port))) return false;
  try {
    await withAdmin(0, (admin) => admin.listTopics());
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Jars

function libsFingerprint(): string {
  const pom = readFileSync(POM_PATH);
  return `${KAFKA_VERSION} ${createHash('sha256').update(pom).digest('hex')}`;
}

function libsInstalled(): boolean {
  const paths = kafkaPaths();
  return (
    existsSync(paths.marker) &&
    readFileSync(paths.marker, 'utf8').trim() === libsFingerprint() &&
    existsSync(join(paths.libs, `kafka_2.13-${KAFKA_VERSION}.jar`))
  );
}

/**
 * Copies the broker's jars from Maven Central (through ~/.m2) unless the
 * marker says the current version is already there. Maven writes into a
 * scratch folder that is swapped in only on success, so an interrupted
 * download never leaves a half-filled libs/ that looks installed.
 */
export async function ensureKafkaLibs(): Promise<void> {
  if (libsInstalled()) return;
  const paths = kafkaPaths();
  const scratch = `${paths.libs}.tmp-${process.pid}`;
  log(`kafka: fetching Kafka ${KAFKA_VERSION} jars with Maven (first run only)...`);
  const args = [
    '-q',
    '-B',
    '-f',
    POM_PATH,
    'dependency:copy-dependencies',
    `-Dkafka.version=${KAFKA_VERSION}`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${scratch}`,
  ];
  let lastOutput = '';
  // One retry: Maven Central downloads occasionally fail halfway on a flaky link.
  for (let attempt = 1; attempt <= 2; attempt++) {
    rmSync(scratch, { recursive: true, force: true });
    let result: RunResult;
    try {
      result = await run('mvn', args);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new Error('Maven (`mvn`) is not installed; it is needed once to fetch the Kafka jars (apt-get install maven).');
      }
      throw error;
    }
    if (result.code === 0) {
      writeFileSync(join(scratch, '.installed'), `${libsFingerprint()}\n`);
      rmSync(paths.libs, { recursive: true, force: true });
      renameSync(scratch, paths.libs);
      return;
    }
    lastOutput = result.output;
    log(`kafka: mvn failed (attempt ${attempt}/2)`);
  }
  rmSync(scratch, { recursive: true, force: true });
  throw new Error(`Could not fetch the Kafka jars with Maven:\n${tail(lastOutput)}`);
}

// ---------------------------------------------------------------------------
// Configuration and storage

/**
 * A single-node KRaft broker's server.properties: the development/test broker
 * here, the benchmark's own broker in scripts/bench/checkout/kafka.ts.
 */
export function kafkaServerProperties(listen: { port: number; controllerPort: number; dataDir: string }): Record<string, string> {
  const { port, controllerPort, dataDir } = listen;
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': String(DEFAULT_PARTITIONS),
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    // One node: internal topics cannot have more replicas than brokers.
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    // The 3 s default delays every consumer group join; pointless on one node.
    'group.initial.rebalance.delay.ms': '0',
    // Topics are created explicitly from ALL_TOPICS, so a typo fails loudly.
    'auto.create.topics.enable': 'false',
    'delete.topic.enable': 'true',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'log.retention.hours': '168',
  };
}

function writeKafkaConfig(port: number): void {
  const paths = kafkaPaths();
  const controllerPort = port + 1;
  const properties = kafkaServerProperties({ port, controllerPort, dataDir: paths.data });
  const body = Object.entries(properties)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  writeFileSync(paths.serverProperties, `# Generated by packages/infra/src/kafka.ts on every start; edit that file instead.\n${body}\n`);
  // Kafka 3.9 logs through slf4j-reload4j; send everything to stdout, which is kafka.log.
  writeFileSync(
    paths.log4jProperties,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.org.apache.kafka.clients=WARN',
      '',
    ].join('\n'),
  );
}

/**
 * The java command line of a broker (or of Kafka's storage tool) run from the
 * installed libraries: the development/test broker here, the benchmark's own
 * broker in scripts/bench/checkout/kafka.ts.
 */
export function kafkaJavaArgs(files: { libs: string; log4jProperties: string }, mainClass: string, ...args: string[]): string[] {
  return [
    '-Xms256m',
    `-Xmx${JVM_HEAP}`,
    // Serial GC: a single-node broker with a small heap on a 2-core machine;
    // G1's concurrent threads cost the checkout benchmark's broker about 30%
    // more CPU per order than serial collection's short young pauses.
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${files.log4jProperties}`,
    '-cp',
    `${files.libs}/*`,
    mainClass,
    ...args,
  ];
}

const javaArgs = (mainClass: string, ...args: string[]): string[] => kafkaJavaArgs(kafkaPaths(), mainClass, ...args);

/** A KRaft cluster id: 16 random bytes, base64url without padding, like Kafka's Uuid.randomUuid(). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka rejects ids that look like command-line flags
  }
}

async function formatStorageOnce(): Promise<void> {
  const paths = kafkaPaths();
  if (existsSync(join(paths.data, 'meta.properties'))) return;
  log('kafka: formatting KRaft storage');
  mkdirSync(paths.data, { recursive: true });
  const result = await runJava(
    javaArgs('kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', newClusterId(), '-c', paths.serverProperties),
  );
  if (result.code !== 0) throw new Error(`Formatting Kafka storage failed:\n${tail(result.output)}`);
}

async function runJava(args: string[]): Promise<RunResult> {
  try {
    return await run('java', args);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new Error('`java` is not installed; the local Kafka broker needs a JRE 17+ (apt-get install openjdk-17-jre-headless).');
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Process management

function readPid(): number | undefined {
  const { pidFile } = kafkaPaths();
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  return Number.isFinite(pid) ? pid : undefined;
}

/** Pid of the broker this project started, if it is still running (guards against pid reuse). */
export function managedKafkaPid(): number | undefined {
  const pid = readPid();
  if (pid === undefined || !isPidAlive(pid)) return undefined;
  const commandLine = processCommandLine(pid);
  return commandLine === undefined || commandLine.includes('kafka.Kafka') ? pid : undefined;
}

/** Keeps kafka.log from growing without bound across many restarts. */
function rotateLog(logFile: string): void {
  try {
    if (statSync(logFile).size > 20 * 1024 * 1024) renameSync(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
}

async function spawnBroker(port: number): Promise<void> {
  const paths = kafkaPaths();
  mkdirSync(paths.home, { recursive: true });
  writeKafkaConfig(port);
  await formatStorageOnce();
  rotateLog(paths.logFile);
  const logFd = openSync(paths.logFile, 'a');
  const startedAt = Date.now();
  // detached: own process group, so the broker outlives this process and the
  // test runner or shell that started it.
  const child = spawn('java', javaArgs('kafka.Kafka', paths.serverProperties), {
    cwd: paths.home,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  child.unref();
  if (child.pid === undefined) throw await spawnError;
  writeFileSync(paths.pidFile, `${child.pid}\n`);
  log(`kafka: started broker pid ${child.pid}, waiting for it on 127.0.0.1:${port}`);

  const pid = child.pid;
  const ready = await waitUntil(async () => !isPidAlive(pid) || (await isKafkaUp()), START_TIMEOUT_MS, 300);
  if (!isPidAlive(pid)) {
    rmSync(paths.pidFile, { force: true });
    throw new Error(`Kafka exited during startup; last lines of ${paths.logFile}:\n${tail(readFileSync(paths.logFile, 'utf8'), 30)}`);
  }
  if (!ready) throw new Error(`Kafka did not become ready within ${START_TIMEOUT_MS / 1000}s; see ${paths.logFile}`);
  log(`kafka: ready after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}

/**
 * Makes sure the broker runs and every topic of ALL_TOPICS exists. Reuses any
 * broker already answering at KAFKA_BROKERS; starts the local one otherwise
 * (only if KAFKA_BROKERS is a single address on this machine). Safe to call
 * concurrently from several processes.
 */
export async function startKafka(): Promise<ServiceOutcome> {
  let outcome: ServiceOutcome = 'reused';
  if (!(await isKafkaUp())) {
    const broker = localBroker();
    if (!broker) {
      throw new Error(`Kafka at ${kafkaBrokers().join(',')} is not reachable, and it is not a single local broker this tool could start.`);
    }
    outcome = await withLock(kafkaPaths().lock, async (): Promise<ServiceOutcome> => {
      if (await isKafkaUp()) return 'reused'; // someone else started it while we waited for the lock
      const pid = managedKafkaPid();
      if (pid !== undefined) {
        // Our broker is still booting (or was, when a previous run gave up); give it time before deciding.
        log(`kafka: broker pid ${pid} is running but not answering yet, waiting`);
        if (await waitUntil(isKafkaUp, START_TIMEOUT_MS, 300)) return 'reused';
        throw new Error(`Kafka pid ${pid} runs but does not answer on ${broker.host}:${broker.port}; see ${kafkaPaths().logFile}`);
      }
      if (await isPortOpen(broker.host, broker.port)) {
        throw new Error(`Port ${broker.port} is taken by something that does not answer as a Kafka broker.`);
      }
      await ensureKafkaLibs();
      await spawnBroker(broker.port);
      return 'started';
    });
  }
  const created = await ensureTopics();
  log(`kafka: ${outcome} ${kafkaBrokers().join(',')}${created.length ? `, created ${created.length} topics` : ''}`);
  return outcome;
}

/**
 * Stops the broker this project started (found through the pid file). A broker
 * started by anyone else is left alone. Resolves true if a broker was stopped.
 */
export async function stopKafka(options: { timeoutMs?: number } = {}): Promise<boolean> {
  const paths = kafkaPaths();
  const pid = managedKafkaPid();
  if (pid === undefined) {
    rmSync(paths.pidFile, { force: true });
    return false;
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  log(`kafka: stopping broker pid ${pid}`);
  process.kill(pid, 'SIGTERM'); // Kafka's shutdown hook closes logs cleanly, so the next start skips recovery
  if (!(await waitUntil(() => !isPidAlive(pid), timeoutMs, 100))) {
    log(`kafka: broker did not stop within ${timeoutMs / 1000}s, killing it`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in between
    }
    await waitUntil(() => !isPidAlive(pid), 5_000, 100);
  }
  rmSync(paths.pidFile, { force: true });
  // The next start must not find the old listener still bound.
  const { host, port } = localBroker() ?? firstBroker();
  await waitUntil(async () => !(await isPortOpen(host, port)), 5_000, 100);
  log('kafka: stopped');
  return true;
}

/**
 * Creates the missing topics of ALL_TOPICS with DEFAULT_PARTITIONS partitions
 * (replication 1), raises the partition count of existing ones that have
 * fewer, and waits until every partition has a leader. Returns the topics it created.
 */
export async function ensureTopics(): Promise<string[]> {
  return withAdmin(8, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      // Returns false (no throw) when another process created them first.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: DEFAULT_PARTITIONS, replicationFactor: 1 })),
      });
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
      const tooFew = topics.filter((t) => t.partitions.length < DEFAULT_PARTITIONS);
      if (tooFew.length > 0) {
        await admin.createPartitions({ topicPartitions: tooFew.map((t) => ({ topic: t.name, count: DEFAULT_PARTITIONS })) });
        continue;
      }
      // Right after a restart the single node needs a moment to lead its partitions again.
      if (topics.every((t) => t.partitions.every((p) => p.leader >= 0))) break;
      if (Date.now() > deadline) throw new Error('Kafka topics still have partitions without a leader after 30s');
      await sleep(200);
    }
    return missing;
  });
}

export interface KafkaStatus {
  brokers: string[];
  up: boolean;
  /** Pid of the broker this project started, if it runs. */
  pid: number | undefined;
}

export async function kafkaStatus(): Promise<KafkaStatus> {
  return { brokers: kafkaBrokers(), up: await isKafkaUp(), pid: managedKafkaPid() };
}
