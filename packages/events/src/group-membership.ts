/**
 * How a consumer joins its group quickly after a crash.
 *
 * A member that dies without leaving keeps its partitions until the broker
 * expires its session. kafkajs 2.2.4 has no static membership (KIP-345): the
 * JoinGroup v5 encoder has a `group_instance_id` field, but the consumer
 * never fills it, nor sends it on SyncGroup, Heartbeat, OffsetCommit or
 * LeaveGroup. So a restarted process gets a new member id, and the group
 * waits for the dead one's session to run out (kafkajs' default 30 s) before
 * it can assign the partitions again.
 *
 * This emulates the part of static membership that matters here:
 *
 * - Every consumer carries a stable **instance identity** in its Kafka
 *   client id: `consumer-<group>@<instance>#<slot>`. `<instance>` is
 *   KAFKA_CONSUMER_INSTANCE_ID, else the host name (a Kubernetes pod's name,
 *   which a container restart keeps; a Docker container's id). `<slot>` is
 *   the lowest number not used by another live consumer of the same group in
 *   this process (1 unless a process runs several).
 * - Before it joins, a consumer asks the group coordinator for the group's
 *   members (DescribeGroups) and removes those that carry its own identity
 *   (LeaveGroup with their member id): they can only be its own previous
 *   incarnation. The group then rebalances at once instead of after the
 *   session timeout.
 *
 * If two live processes ever share an identity (two copies on one host with
 * the same KAFKA_GROUP_PREFIX), the later start removes the earlier member
 * once; that member gets UNKNOWN_MEMBER_ID on its next heartbeat and rejoins.
 * That is one extra rebalance, and redelivery is harmless (processed_events),
 * unlike static membership's fencing, which would keep the two fighting.
 *
 * kafkajs exposes LeaveGroup only for the consumer's own member, so this uses
 * its internal Cluster and Broker objects. Like kafkajs-idle-loop.ts, that is
 * applied only to the version it was written for; on another version the
 * eviction is skipped (and logged), and recovery falls back to the session
 * timeout.
 */
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { readEnv } from '@commerce/config';
import type { Kafka } from 'kafkajs';
import { errorInfo, type EventLogger } from './logger.js';

const require = createRequire(import.meta.url);
const SUPPORTED_KAFKAJS = '2.2.4';

/** A stable name for this process's host: KAFKA_CONSUMER_INSTANCE_ID, else the host name. */
export function consumerInstanceId(): string {
  return (readEnv('KAFKA_CONSUMER_INSTANCE_ID') ?? hostname()).replace(/[^A-Za-z0-9._:-]/g, '_');
}

/** Slots of the live consumers of each Kafka group in this process. */
const slotsInUse = new Map<string, Set<number>>();

export interface MembershipSlot {
  /** The Kafka client id that carries the instance identity. */
  clientId: string;
  /** Gives the slot back (after the consumer has left its group). */
  release(): void;
}

/** Takes the lowest free slot for `kafkaGroup` in this process and returns the client id for it. */
export function claimMembershipSlot(group: string, kafkaGroup: string, instance = consumerInstanceId()): MembershipSlot {
  const used = slotsInUse.get(kafkaGroup) ?? new Set<number>();
  slotsInUse.set(kafkaGroup, used);
  let slot = 1;
  while (used.has(slot)) slot++;
  used.add(slot);
  let released = false;
  return {
    clientId: `consumer-${group}@${instance}#${slot}`,
    release() {
      if (released) return;
      released = true;
      used.delete(slot);
    },
  };
}

/** The parts of kafkajs' internal Cluster and Broker this module calls. */
interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}
interface CoordinatorBroker {
  describeGroups(request: { groupIds: string[] }): Promise<{ groups: { groupId: string; state: string; members: GroupMember[] }[] }>;
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<CoordinatorBroker>;
}
type CreateCluster = (options: { allowAutoTopicCreation?: boolean }) => InternalCluster;

function internalClusterFactory(kafka: Kafka): CreateCluster | undefined {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== SUPPORTED_KAFKAJS) return undefined;
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  return typeof factory === 'function' ? (factory as CreateCluster) : undefined;
}

export interface EvictionResult {
  /** Member ids removed from the group. */
  evicted: string[];
  /** False when this kafkajs version offers no way to do it. */
  supported: boolean;
}

/**
 * Removes the members of `kafkaGroup` whose client id is `clientId`: the
 * previous incarnation of this consumer, left behind by a crash. Never throws;
 * a failure only means the group waits for the session timeout as before.
 */
export async function evictPreviousIncarnation(kafka: Kafka, kafkaGroup: string, clientId: string, logger: EventLogger): Promise<EvictionResult> {
  const createCluster = internalClusterFactory(kafka);
  if (!createCluster) {
    logger.warn({ component: 'event-consumer', group: kafkaGroup }, `kafkajs is not ${SUPPORTED_KAFKAJS}: a crashed member is not evicted; the group waits for its session timeout`);
    return { evicted: [], supported: false };
  }
  const cluster = createCluster({ allowAutoTopicCreation: false });
  const evicted: string[] = [];
  try {
    await cluster.connect();
    const coordinator = await cluster.findGroupCoordinator({ groupId: kafkaGroup });
    const { groups } = await coordinator.describeGroups({ groupIds: [kafkaGroup] });
    const stale = (groups[0]?.members ?? []).filter((member) => member.clientId === clientId);
    for (const member of stale) {
      try {
        await coordinator.leaveGroup({ groupId: kafkaGroup, memberId: member.memberId });
        evicted.push(member.memberId);
      } catch (error) {
        // UNKNOWN_MEMBER_ID: it expired or left in the meantime, which is what we wanted.
        logger.debug?.({ component: 'event-consumer', group: kafkaGroup, memberId: member.memberId, err: errorInfo(error) }, 'stale member already gone');
      }
    }
    if (evicted.length > 0) {
      logger.info({ component: 'event-consumer', group: kafkaGroup, clientId, evicted }, 'removed the previous incarnation of this consumer from its group');
    }
  } catch (error) {
    logger.warn({ component: 'event-consumer', group: kafkaGroup, err: errorInfo(error) }, 'could not check the group for a previous incarnation; joining anyway');
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
  return { evicted, supported: true };
}
