import type { ChannelKind, NotificationType } from '../data/prisma.js';

/**
 * A way to reach a person: email, SMS, push or the in-app inbox. The
 * dispatcher hands each due delivery to the channel of its kind. `send`
 * resolves once the provider has accepted the message and throws when it has
 * not (the dispatcher then retries with backoff); it must not retry itself.
 */
export interface NotificationChannel {
  readonly kind: ChannelKind;
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Releases connections; called when the subgraph stops. */
  close?(): Promise<void> | void;
}

/** One delivery, as the dispatcher claimed it. */
export interface OutgoingMessage {
  deliveryId: string;
  eventId: string;
  type: NotificationType;
  userId: string | null;
  /** Email address, phone number or user id, depending on the channel. */
  recipient: string;
  /** What `contentFor(kind, …)` stored for this channel. */
  content: ChannelContent;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface SendResult {
  /** The provider's id of the message (SMTP Message-ID, in-app notification id, …), kept in the delivery log. */
  providerMessageId?: string | null;
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** In-app and push: a title, a line of text and where it leads. */
export interface ShortContent {
  title: string;
  body: string;
  link: string | null;
  orderId: string | null;
}

export interface SmsContent {
  text: string;
}

export type ChannelContent = EmailContent | ShortContent | SmsContent;

/** A send failure that retrying cannot fix (a malformed stored message): the dispatcher fails the delivery at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function asEmailContent(content: unknown): EmailContent {
  if (isRecord(content) && typeof content.subject === 'string' && typeof content.text === 'string' && typeof content.html === 'string') {
    return { subject: content.subject, text: content.text, html: content.html };
  }
  throw new PermanentDeliveryError('stored email content is malformed');
}

export function asShortContent(content: unknown): ShortContent {
  if (isRecord(content) && typeof content.title === 'string' && typeof content.body === 'string') {
    return {
      title: content.title,
      body: content.body,
      link: typeof content.link === 'string' ? content.link : null,
      orderId: typeof content.orderId === 'string' ? content.orderId : null,
    };
  }
  throw new PermanentDeliveryError('stored notification content is malformed');
}

export function asSmsContent(content: unknown): SmsContent {
  if (isRecord(content) && typeof content.text === 'string') return { text: content.text };
  throw new PermanentDeliveryError('stored SMS content is malformed');
}
