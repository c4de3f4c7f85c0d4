/**
 * A local SMTP server that accepts every message and keeps it: the dev sink
 * for `npm start` (nothing leaves the machine) and the test mail server.
 * Built on nodemailer's own `smtp-server`; messages are parsed with
 * `mailparser`. Plain SMTP without TLS or AUTH, on 127.0.0.1 by default.
 *
 * `reject` makes it answer every new connection with a temporary failure
 * (421), as a mail server that is down or overloaded would; the connection
 * attempts are still counted (`connections`), with their times.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '@commerce/observability';

export interface ReceivedMail {
  /** SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  subject: string;
  /** The To header's addresses, lower-cased. */
  to: string[];
  text: string;
  html: string;
  headers: Map<string, unknown>;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface SmtpSinkOptions {
  /** 0 for an ephemeral port (tests); default 1025. */
  port?: number;
  host?: string;
  /** Logs one line per message (sender, recipients, subject; never the body, which may hold a reset link). */
  logger?: Logger;
  /** Also writes each message as an .eml file into this folder (the dev sink: open them in a mail client). */
  saveDir?: string;
  onMessage?(mail: ReceivedMail): void;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** Every message received, oldest first. */
  readonly messages: ReceivedMail[];
  /** When each connection arrived, accepted or not. */
  readonly connections: Date[];
  /** While set, every new connection gets `421 <message>` (a temporary failure). */
  reject: string | null;
  close(): Promise<void>;
}

const addresses = (value: ParsedMail['to']): string[] => {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((group) => group.value.map((entry) => (entry.address ?? '').toLowerCase())).filter(Boolean);
};

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const messages: ReceivedMail[] = [];
  const connections: Date[] = [];
  const state: { reject: string | null } = { reject: null };
  if (options.saveDir) await mkdir(options.saveDir, { recursive: true });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      connections.push(new Date());
      if (state.reject === null) return callback();
      const error = new Error(state.reject) as Error & { responseCode?: number };
      error.responseCode = 421;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then(async (parsed) => {
            const mail: ReceivedMail = {
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
              },
              messageId: parsed.messageId ?? null,
              subject: parsed.subject ?? '',
              to: addresses(parsed.to),
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers: parsed.headers,
              parsed,
              receivedAt: new Date(),
            };
            messages.push(mail);
            let saved: string | undefined;
            if (options.saveDir) {
              saved = join(options.saveDir, `${mail.receivedAt.toISOString().replace(/[:.]/g, '-')}-${messages.length}.eml`);
              await writeFile(saved, raw);
            }
            options.logger?.info({ from: mail.envelope.from, to: mail.envelope.to, subject: mail.subject, ...(saved ? { file: saved } : {}) }, 'mail received by the local SMTP sink');
            options.onMessage?.(mail);
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 1025, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: unknown) => options.logger?.warn({ err: error }, 'SMTP sink error'));
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    messages,
    connections,
    get reject() {
      return state.reject;
    },
    set reject(value: string | null) {
      state.reject = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
