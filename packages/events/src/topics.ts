/**
 * Kafka topics, one per aggregate type. Events are keyed by aggregate id, so
 * every event of one aggregate lands on one partition, in order.
 * Dead letters go to `<topic>.dlq`.
 *
 * Two change feeds have topics of their own: an order's every status change
 * and a variant's availability. They are the busiest events of a checkout
 * (four status changes and two availability changes per order) and the
 * saga's consumers (inventory, payments, cart, orders) never read them, so on
 * the aggregate topics every one of those consumers would fetch, decode and
 * skip them. Their readers (notifications, search, timelines) need order only
 * within the feed, which the key still gives.
 */
export const TOPICS = {
  user: 'commerce.user',
  product: 'commerce.product',
  cart: 'commerce.cart',
  order: 'commerce.order',
  orderStatus: 'commerce.order-status',
  payment: 'commerce.payment',
  stock: 'commerce.stock',
  stockLevel: 'commerce.stock-level',
  notification: 'commerce.notification',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/**
 * Holds no messages: outbox relays commit their exactly-once markers as
 * consumer-group offsets against partition 0 of this topic (Kafka only accepts
 * offsets for existing topics). See packages/events/README.md.
 */
export const OUTBOX_MARKER_TOPIC = 'commerce.outbox-relay.markers';

/** Every topic the infrastructure must create, dead-letter topics and the relay marker topic included. */
export const ALL_TOPICS: readonly string[] = [
  ...Object.values(TOPICS).flatMap((topic) => [topic, deadLetterTopic(topic)]),
  OUTBOX_MARKER_TOPIC,
];

/** Partitions per topic; above 1 so per-key ordering and consumer scaling are exercised. */
export const DEFAULT_PARTITIONS = 6;
