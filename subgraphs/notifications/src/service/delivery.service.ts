import type { Logger } from '@commerce/observability';
import type { ChannelContent } from '../channels/channel.js';
import type { ChannelKind, NotificationsTx, NotificationType, UserContact } from '../data/prisma.js';
import type { RenderedNotification } from '../templates/index.js';
import { CHANNELS_BY_TYPE, MANDATORY_TYPES } from './routing.js';

/**
 * DeliveryService: turns one event into delivery rows, inside the consumer's
 * transaction. Preferences are applied here; the rendered message is stored
 * per channel; the dispatcher sends the rows later, so a slow or dead mail
 * server never holds up the Kafka consumer.
 *
 * Exactly one row per (event, channel, recipient): the unique key makes a
 * second scheduling of the same event (a replay under another consumer
 * group, a reprocessed message) a no-op.
 */

/** LISTEN/NOTIFY channel that wakes the dispatcher when deliveries commit. */
export const DELIVERIES_NOTIFY_CHANNEL = 'notification_deliveries';

export interface NotificationRequest {
  /**
   * With channel and recipient, what makes scheduling idempotent: the event's id, or the id of
   * the fact it reports when several events may report it (a refund: its refund request id).
   */
  eventId: string;
  eventType: string;
  type: NotificationType;
  /** Null for a guest (no account): email only, no preferences. */
  userId: string | null;
  /** Where to reach the user; null when this service has never heard of them (only user-id channels then). */
  contact: Pick<UserContact, 'email' | 'phone'> | null;
  rendered: RenderedNotification;
  orderId?: string | null;
}

export function contentFor(channel: ChannelKind, rendered: RenderedNotification, orderId: string | null): ChannelContent {
  switch (channel) {
    case 'EMAIL':
      return { subject: rendered.subject, text: rendered.text, html: rendered.html };
    case 'SMS':
      return { text: rendered.link ? `${rendered.body} ${rendered.link}` : rendered.body };
    case 'PUSH':
    case 'IN_APP':
      return { title: rendered.title, body: rendered.body, link: rendered.link, orderId };
  }
}

function recipientFor(channel: ChannelKind, request: NotificationRequest): string | null {
  switch (channel) {
    case 'EMAIL':
      return request.contact?.email ?? null;
    case 'SMS':
      return request.contact?.phone ?? null;
    case 'PUSH':
    case 'IN_APP':
      return request.userId;
  }
}

/**
 * Writes the deliveries for one notification, after preferences. Returns the
 * channels that got a new row (an empty list when everything was switched
 * off, unreachable, or already scheduled).
 */
export async function scheduleNotification(tx: NotificationsTx, request: NotificationRequest, logger: Logger): Promise<ChannelKind[]> {
  const mandatory = MANDATORY_TYPES.has(request.type);
  const preference = mandatory || !request.userId ? null : await tx.notificationPreference.findUnique({ where: { userId: request.userId } });
  const log = { eventId: request.eventId, type: request.type, userId: request.userId };
  if (preference?.disabledTypes.includes(request.type)) {
    logger.debug({ ...log }, 'notification type switched off by the user');
    return [];
  }

  const rows = [];
  for (const channel of CHANNELS_BY_TYPE[request.type]) {
    if (preference?.disabledChannels.includes(channel)) continue;
    const recipient = recipientFor(channel, request);
    if (!recipient) {
      // No email address: the user registered before this service consumed the user topic (README).
      if (channel === 'EMAIL') logger.warn({ ...log, channel }, 'no email address known for this user; email skipped');
      continue;
    }
    rows.push({
      eventId: request.eventId,
      eventType: request.eventType,
      type: request.type,
      channel,
      recipient,
      userId: request.userId,
      orderId: request.orderId ?? null,
      content: contentFor(channel, request.rendered, request.orderId ?? null) as object,
    });
  }
  if (rows.length === 0) return [];

  const created = await tx.delivery.createManyAndReturn({ data: rows, skipDuplicates: true, select: { channel: true } });
  if (created.length > 0) await tx.$executeRawUnsafe(`SELECT pg_notify('${DELIVERIES_NOTIFY_CHANNEL}', '')`);
  logger.info({ ...log, channels: created.map((row) => row.channel) }, 'notification scheduled');
  return created.map((row) => row.channel);
}
