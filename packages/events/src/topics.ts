/**
 * Kafka topics, one per aggregate type. Events are keyed by aggregate id, so
 * every event of one aggregate lands on one partition, in order.
 * Dead letters go to `<topic>.dlq`.
 */
export const TOPICS = {
  user: 'commerce.user',
  product: 'commerce.product',
  cart: 'commerce.cart',
  order: 'commerce.order',
  payment: 'commerce.payment',
  stock: 'commerce.stock',
  notification: 'commerce.notification',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Every topic the infrastructure must create, dead-letter topics included. */
export const ALL_TOPICS: readonly string[] = Object.values(TOPICS).flatMap((topic) => [
  topic,
  deadLetterTopic(topic),
]);

/** Partitions per topic; above 1 so per-key ordering and consumer scaling are exercised. */
export const DEFAULT_PARTITIONS = 6;
