import { type AppEnv, databaseUrl as configuredDatabaseUrl, redisUrl } from '@commerce/config';
import { startInBackground, type EventConsumer } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { domainMetrics, loadSchema, type BaseContext, type SubgraphDefinition } from '@commerce/subgraph-kit';
import {
  EmailChannel,
  InAppChannel,
  LoggingPushProvider,
  LoggingSmsProvider,
  PushChannel,
  SmsChannel,
  type NotificationChannel,
  type PushProvider,
  type SmsProvider,
} from './channels/index.js';
import type { NotificationsContext } from './context.js';
import { RedisLiveNotifications, type LiveNotifications } from './data/live.js';
import { createLoaders } from './data/loaders.js';
import { createNotificationsPrisma, type ChannelKind, type NotificationsPrisma } from './data/prisma.js';
import { startNotificationsConsumer } from './events/consumer.js';
import { createNotificationHandlers, type NotificationHandlers } from './events/handlers.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { startDispatcher, type Dispatcher } from './service/dispatcher.js';
import {
  dispatcherSettingsFromEnv,
  mailFromEnv,
  maxEventAgeMsFromEnv,
  smtpSettingsFromEnv,
  storefrontUrlFromEnv,
  type DispatcherSettings,
  type SmtpSettings,
} from './settings.js';

export interface NotificationsSubgraphOptions {
  /** The notifications database; defaults to databaseUrl('notifications', env). */
  databaseUrl?: string;
  /** Which environment's database to use when databaseUrl is not given. */
  env?: AppEnv;
  /** A Prisma client to use instead of creating one; the caller keeps ownership. */
  prisma?: NotificationsPrisma;
  /** SMTP server (default from SMTP_* env: localhost:1025 in development). */
  smtp?: SmtpSettings;
  /** Sender address (default MAIL_FROM). */
  mailFrom?: string;
  /** Base of links in notifications (default STOREFRONT_URL, http://localhost:3000). */
  storefrontUrl?: string;
  /** Redis for live notifications (default REDIS_URL). */
  redisUrl?: string;
  /** SMS and push providers (default: ones that log, for local use). */
  smsProvider?: SmsProvider;
  pushProvider?: PushProvider;
  /** Replace channels, e.g. a failing one in tests. */
  channels?: Partial<Record<ChannelKind, NotificationChannel>>;
  /** Consume user and order events (default true). */
  consumers?: boolean;
  /** Consumer group (default 'notifications'); tests use their own. */
  consumerGroup?: string;
  /** A new consumer group starts at the oldest retained message (default true). */
  fromBeginning?: boolean;
  /** Events older than this notify nobody (default NOTIFICATION_MAX_EVENT_AGE_MS, 24 h). */
  maxEventAgeMs?: number;
  /** Send deliveries (default true): false, or settings overriding the NOTIFICATION_* env. */
  dispatcher?: boolean | Partial<DispatcherSettings>;
  logger?: Logger;
}

/** Handles on the background parts, for tests and tools. */
export interface NotificationsRuntime {
  prisma: NotificationsPrisma;
  live: LiveNotifications;
  channels: Partial<Record<ChannelKind, NotificationChannel>>;
  /** The event handlers, as the consumer runs them (tests apply events without Kafka). */
  handlers: NotificationHandlers;
  /** Null when the dispatcher is off. */
  dispatcher: Dispatcher | null;
  /** Resolves once the consumer has joined its group (undefined when consumers are off; a failed start is retried). */
  consumer: Promise<EventConsumer | undefined>;
}

export type NotificationsSubgraph = SubgraphDefinition<NotificationsContext> & { runtime: NotificationsRuntime };

/**
 * The notifications subgraph: consumes user and order events, keeps small
 * read models of users and orders, writes deliveries per preferences and
 * channel, and sends them from a dispatcher loop (email over SMTP, SMS and
 * push through providers, in-app into its database with a Redis publish).
 * Serves the in-app inbox, preferences and the live subscription. Building
 * the definition starts the background work; `stop()` ends it.
 */
export function notificationsSubgraph(options: NotificationsSubgraphOptions = {}): NotificationsSubgraph {
  const url = options.databaseUrl ?? configuredDatabaseUrl('notifications', options.env);
  const prisma = options.prisma ?? createNotificationsPrisma({ databaseUrl: url });
  const ownsPrisma = options.prisma === undefined;
  const logger = options.logger ?? createLogger({ service: 'notifications' });
  const live = new RedisLiveNotifications(options.redisUrl ?? redisUrl());

  const channels: Partial<Record<ChannelKind, NotificationChannel>> = {
    EMAIL: EmailChannel.fromSettings(options.smtp ?? smtpSettingsFromEnv(), options.mailFrom ?? mailFromEnv()),
    SMS: new SmsChannel(options.smsProvider ?? new LoggingSmsProvider(logger)),
    PUSH: new PushChannel(options.pushProvider ?? new LoggingPushProvider(logger)),
    IN_APP: new InAppChannel(prisma, live),
    ...options.channels,
  };

  const storefrontUrl = (options.storefrontUrl ?? storefrontUrlFromEnv()).replace(/\/+$/, '');
  const handlers = createNotificationHandlers({
    storefrontUrl,
    maxEventAgeMs: options.maxEventAgeMs ?? maxEventAgeMsFromEnv(),
    logger,
  });

  // The consumer only writes rows; the dispatcher sends. A dead SMTP server never stalls Kafka.
  const consumer =
    options.consumers === false
      ? undefined
      : startInBackground(
          'notifications consumer',
          () =>
            startNotificationsConsumer({
              prisma,
              handlers,
              logger,
              ...(options.consumerGroup ? { group: options.consumerGroup } : {}),
              ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
            }),
          { logger },
        );

  const dispatcher =
    options.dispatcher === false
      ? null
      : startDispatcher({
          prisma,
          channels,
          settings: { ...dispatcherSettingsFromEnv(), ...(typeof options.dispatcher === 'object' ? options.dispatcher : {}) },
          logger,
          databaseUrl: url,
        });

  return {
    name: 'notifications',
    metrics: domainMetrics({ domain: 'notifications', databaseUrl: url, consumerGroups: ['notifications'] }),
    typeDefs: loadSchema(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    permissions,
    createContext: (base: BaseContext): NotificationsContext => ({
      ...base,
      prisma,
      loaders: createLoaders(prisma),
      live,
      storefrontUrl,
      ...(dispatcher ? { wakeDispatcher: () => dispatcher.wake() } : {}),
    }),
    async ready() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async stop() {
      await consumer?.stop();
      await dispatcher?.stop();
      for (const channel of Object.values(channels)) await channel?.close?.();
      await live.close();
      if (ownsPrisma) await prisma.$disconnect();
    },
    runtime: { prisma, live, channels, handlers, dispatcher, consumer: consumer?.started ?? Promise.resolve(undefined) },
  };
}
