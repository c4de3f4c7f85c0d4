/** What other workspaces (dev start, e2e tests) may use from the notifications subgraph. */
export {
  notificationsSubgraph,
  type NotificationsRuntime,
  type NotificationsSubgraph,
  type NotificationsSubgraphOptions,
} from './subgraph.js';
export { startSmtpSink, type ReceivedMail, type SmtpSink, type SmtpSinkOptions } from './dev/smtp-sink.js';
export type { NotificationChannel, PushProvider, SmsProvider } from './channels/index.js';
export { LoggingPushProvider, LoggingSmsProvider } from './channels/index.js';
