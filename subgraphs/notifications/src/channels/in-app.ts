import type { LiveNotifications } from '../data/live.js';
import type { NotificationsPrisma } from '../data/prisma.js';
import { asShortContent, PermanentDeliveryError, type NotificationChannel, type OutgoingMessage, type SendResult } from './channel.js';

/**
 * The in-app inbox: "sending" stores the notification (once per delivery: the
 * delivery id is unique) and publishes it on Redis for live subscribers.
 * When Redis is down the notification is already listed; the delivery is
 * retried, which publishes it again (subscribers may see it twice, by id).
 */
export class InAppChannel implements NotificationChannel {
  readonly kind = 'IN_APP' as const;

  constructor(
    private readonly prisma: NotificationsPrisma,
    private readonly live: LiveNotifications,
  ) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const content = asShortContent(message.content);
    if (!message.userId) throw new PermanentDeliveryError('an in-app notification needs a user');
    const notification = await this.prisma.notification.upsert({
      where: { deliveryId: message.deliveryId },
      create: {
        deliveryId: message.deliveryId,
        userId: message.userId,
        type: message.type,
        title: content.title,
        body: content.body,
        link: content.link,
        orderId: content.orderId,
      },
      update: {},
    });
    await this.live.publish(notification);
    return { providerMessageId: notification.id };
  }
}
