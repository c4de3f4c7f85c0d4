/**
 * Process entry of the notifications subgraph:
 *   tsx --import ../../packages/observability/src/register.ts src/main.ts
 * Listens on NOTIFICATIONS_PORT (default 4007); SIGTERM/SIGINT drain and stop.
 *
 * In development with no SMTP_HOST set, a local SMTP sink is started on
 * localhost:1025 (unless something, e.g. Mailpit, already listens there):
 * mail never leaves the machine, each message is logged (sender, recipients,
 * subject) and saved as an .eml file under .cache/mail.
 */
import { join } from 'node:path';
import { appEnv, readEnv, repoRoot, subgraphPort } from '@commerce/config';
import { createLogger } from '@commerce/observability';
import { installSignalHandlers, startSubgraph, type Stoppable } from '@commerce/subgraph-kit';
import { startSmtpSink } from './dev/smtp-sink.js';
import { notificationsSubgraph } from './subgraph.js';

const logger = createLogger({ service: 'notifications' });
const stoppables: Stoppable[] = [];

if (appEnv() === 'development' && readEnv('SMTP_HOST') === undefined && readEnv('DEV_SMTP_SINK') !== 'false') {
  try {
    const sink = await startSmtpSink({ port: 1025, host: '127.0.0.1', logger, saveDir: join(repoRoot(), '.cache', 'mail') });
    logger.info({ port: sink.port }, 'development SMTP sink listening; mails are saved under .cache/mail');
    stoppables.push({ name: 'smtp-sink', stop: () => sink.close() });
  } catch (error) {
    logger.info({ err: error }, 'port 1025 is taken; sending to whatever SMTP server listens there');
  }
}

const running = await startSubgraph(notificationsSubgraph({ logger }), { port: subgraphPort('notifications') });
installSignalHandlers([running, ...stoppables]);
