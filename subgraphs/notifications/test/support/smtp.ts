/**
 * The test mail server: a real SMTP server (nodemailer's smtp-server) on an
 * ephemeral port of 127.0.0.1, started by the test setup. The notifications
 * subgraph sends to it over SMTP like to any mail server; tests read what
 * arrived, parsed with mailparser.
 */
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../src/dev/smtp-sink.js';
import type { SmtpSettings } from '../../src/settings.js';

export type { ReceivedMail };

export interface TestSmtpServer extends SmtpSink {
  /** SMTP settings that point the subgraph at this server. */
  readonly settings: SmtpSettings;
  /** Messages whose envelope or To header has this address. */
  to(address: string): ReceivedMail[];
  /** Resolves with the first message (already received or still to come) that matches, or fails after `timeoutMs`. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Resolves with the first message to this address. */
  waitForMailTo(address: string, timeoutMs?: number): Promise<ReceivedMail>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const waiters = new Set<() => void>();
  const sink = await startSmtpSink({
    port: 0,
    onMessage: () => {
      for (const wake of waiters) wake();
    },
  });
  const to = (address: string): ReceivedMail[] => {
    const wanted = address.toLowerCase();
    return sink.messages.filter((mail) => mail.envelope.to.includes(wanted) || mail.to.includes(wanted));
  };
  const waitFor = (predicate: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = sink.messages.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching mail within ${timeoutMs} ms (${sink.messages.length} received)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (): void => void check();
      waiters.add(wake);
      check();
    });
  return Object.assign(sink, {
    settings: { host: sink.host, port: sink.port, secure: false, timeoutMs: 5_000 },
    to,
    waitFor,
    waitForMailTo: (address: string, timeoutMs?: number) => waitFor((mail) => to(address).includes(mail), timeoutMs),
  });
}
