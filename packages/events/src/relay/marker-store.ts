/**
 * Marker store: where the relay reads the last committed marker back, through
 * a Kafka admin client. Creates the marker topic if it is missing.
 */
import type { Admin, Kafka } from 'kafkajs';
import { errorMessage } from '../logger.js';
import { DEFAULT_PARTITIONS } from '../topics.js';
import { decodeMarker, type Marker } from './marker.js';

export class MarkerStore {
  #admin: Admin | undefined;
  #topicReady = false;

  constructor(
    readonly kafka: Kafka,
    readonly markerTopic: string,
  ) {}

  /** The marker last committed under `relayId` (by any incarnation), if there is one of ours. */
  async read(relayId: string): Promise<Marker | undefined> {
    const admin = await this.#ready();
    const offsets = await admin.fetchOffsets({ groupId: relayId, topics: [this.markerTopic] });
    const entry = offsets.find((o) => o.topic === this.markerTopic)?.partitions.find((p) => p.partition === 0);
    return decodeMarker(entry?.metadata);
  }

  async disconnect(): Promise<void> {
    await this.#admin?.disconnect().catch(() => undefined);
  }

  async #ready(): Promise<Admin> {
    if (!this.#admin) {
      const next = this.kafka.admin();
      await next.connect();
      this.#admin = next;
    }
    const admin = this.#admin;
    if (!this.#topicReady) {
      const topics = await admin.listTopics();
      if (!topics.includes(this.markerTopic)) {
        // Offsets can only be committed for an existing topic. The topic holds
        // no messages; it is only a place for the relays' marker offsets. The
        // infrastructure normally creates it (ALL_TOPICS), with the same shape.
        await admin.createTopics({ topics: [{ topic: this.markerTopic, numPartitions: DEFAULT_PARTITIONS }], waitForLeaders: true }).catch((error: unknown) => {
          if (!/already exists/i.test(errorMessage(error))) throw error;
        });
      }
      this.#topicReady = true;
    }
    return admin;
  }
}
