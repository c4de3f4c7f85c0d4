/**
 * Dead-letter: the original key, value and headers go to `<topic>.dlq` with
 * `dlq-*` headers saying why, from where and after how many attempts.
 */
import type { IHeaders, Producer } from 'kafkajs';
import { headerString } from '../kafka.js';
import { errorInfo, errorMessage } from '../logger.js';
import { deadLetterTopic } from '../topics.js';
import type { ConsumerScope, DeadLetter } from './types.js';

/** Error header values are capped: Kafka headers are not meant for stack dumps. */
const MAX_ERROR_HEADER = 4_000;

export function createDeadLetter(producer: Producer, scope: ConsumerScope): DeadLetter {
  const { group, logger, log } = scope;
  return async function deadLetter(delivery, reason, error, attempts) {
    const { topic, partition, message } = delivery;
    const headers: IHeaders = {};
    for (const [key, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[key] = value;
    Object.assign(headers, {
      'dlq-reason': reason,
      'dlq-error': errorMessage(error).slice(0, MAX_ERROR_HEADER),
      'dlq-consumer-group': group,
      'dlq-source-topic': topic,
      'dlq-source-partition': String(partition),
      'dlq-source-offset': message.offset,
      'dlq-attempts': String(attempts),
      'dlq-failed-at': new Date().toISOString(),
    });
    await producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    logger.error(
      { ...log, topic, partition, offset: message.offset, reason, attempts, eventId: headerString(message.headers?.['event-id']), err: errorInfo(error) },
      `event sent to dead-letter topic ${deadLetterTopic(topic)}`,
    );
  };
}
