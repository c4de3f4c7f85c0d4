import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkaBrokers } from '@commerce/config';

export interface ReadMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning in a throwaway consumer group, so a test can
 * assert what was (and was not) published. Filter with `matching`, e.g. by the
 * aggregate id the test created; reading from the start means no race with a
 * message produced right after start().
 */
export class KafkaTopicReader {
  readonly messages: ReadMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly topic: string) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'test-reader', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
        }
        this.messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers,
          partition,
          offset: message.offset,
        });
      },
    });
    await hasJoined;
  }

  /** Messages whose JSON value matches the predicate. */
  matching(predicate: (value: Record<string, unknown>) => boolean): ReadMessage[] {
    return this.messages.filter((message) => {
      try {
        return predicate(JSON.parse(message.value) as Record<string, unknown>);
      } catch {
        return false;
      }
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * Waits until every group has members and a settled assignment, so events
 * produced next reach consumers that started at the end of their topics.
 */
export async function waitForConsumerGroups(groupIds: readonly string[], timeoutMs = 30_000): Promise<void> {
  const kafka = new Kafka({ clientId: 'test-group-watcher', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([...groupIds]);
      const unsettled = groups.filter((group) => group.state !== 'Stable' || group.members.length === 0);
      if (unsettled.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`Consumer groups not stable: ${unsettled.map((g) => `${g.groupId}=${g.state}`).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits the current end offsets of `topics` for a consumer group that has
 * not started yet. A new group without committed offsets takes "latest" only
 * at its first fetch of each partition, which races whatever a test publishes
 * right after starting it (and each topic's partitions are fetched on their
 * own schedule); with offsets committed first the start point is exact.
 */
export async function startGroupAtEnd(groupId: string, topics: readonly string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'test-group-positioner', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of new Set(topics)) await admin.resetOffsets({ groupId, topic, earliest: false });
  } finally {
    await admin.disconnect();
  }
}
