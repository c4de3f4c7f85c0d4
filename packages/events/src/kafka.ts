/**
 * kafkajs client construction shared by the relay and the consumer: brokers
 * from @commerce/config unless given, and kafkajs log lines routed to our
 * structured logger instead of kafkajs' own console JSON.
 */
import { kafkaBrokers } from '@commerce/config';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import { silentLogger, type EventLogger } from './logger.js';
// Applied on import, before any client connects (see the module).
import './kafkajs-idle-loop.js';

export { KafkaLogLevel };

export interface KafkaClientOptions {
  clientId: string;
  brokers?: string[] | undefined;
  logger?: EventLogger | undefined;
  /** kafkajs' own verbosity; WARN by default (its INFO lines are per-rebalance chatter). */
  kafkaLogLevel?: KafkaLogLevel | undefined;
  /** Extra kafkajs settings (ssl, sasl, timeouts) for managed clusters. */
  kafkaConfig?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logCreator' | 'logLevel'> | undefined;
}

/**
 * Messages kafkajs logs that are expected with our settings:
 * - we cap producer retries on purpose (a failed transaction is aborted and
 *   retried as a whole by the relay; an endless in-kafkajs retry would hang it);
 * - the consumer's "crash" warnings on stop are reported by our own code.
 */
const EXPECTED = [/Limiting retries for the idempotent producer/];

/**
 * Retried within kafkajs and harmless: the next transaction began while the
 * coordinator was still completing the previous one (CONCURRENT_TRANSACTIONS).
 * Logged at debug so a relay under load does not flood the error log.
 */
const RETRIED_QUIETLY = /concurrent operation on the same transaction|CONCURRENT_TRANSACTIONS/;

export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger ?? silentLogger;
  const creator: logCreator = () => (entry) => {
    const { message, ...rest } = entry.log;
    if (EXPECTED.some((pattern) => pattern.test(message))) return;
    const obj = { kafka: { namespace: entry.namespace, ...rest } };
    // The consumer abandons the message in progress on stop by throwing
    // StoppingError (so its offset is not committed); kafkajs reports that as
    // an eachMessage failure, which it is not.
    if (/StoppingError/.test(`${String(rest.stack ?? '')}${String(rest.error ?? '')}`)) {
      logger.debug?.(obj, `kafkajs: ${message} (consumer stopping)`);
      return;
    }
    if (RETRIED_QUIETLY.test(`${message} ${String(rest.error ?? '')} ${String(rest.type ?? '')}`)) {
      logger.debug?.(obj, `kafkajs: ${message} (retried)`);
      return;
    }
    if (entry.level === KafkaLogLevel.ERROR) logger.error(obj, `kafkajs: ${message}`);
    else if (entry.level === KafkaLogLevel.WARN) logger.warn(obj, `kafkajs: ${message}`);
    else if (entry.level === KafkaLogLevel.INFO) logger.info(obj, `kafkajs: ${message}`);
    else logger.debug?.(obj, `kafkajs: ${message}`);
  };
  return new Kafka({
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    ...options.kafkaConfig,
    clientId: options.clientId,
    brokers: options.brokers ?? kafkaBrokers(),
    logLevel: options.kafkaLogLevel ?? KafkaLogLevel.WARN,
    logCreator: creator,
  });
}

/** Header values as strings (kafkajs gives Buffer | string | array | undefined). */
export function headerString(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
