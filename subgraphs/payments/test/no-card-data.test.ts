/**
 * No card data is ever stored or logged: after whole flows (authorize,
 * decline, capture, refund, webhooks) every row of every payments table and
 * every log line is scanned for card-number-like strings, and the logs for
 * the payment-method token.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '@commerce/observability';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import type { PaymentsPrisma } from '../src/data/prisma.js';
import { paymentsLogger } from '../src/logging.js';
import { maskToken } from '../src/service/providers/payment-provider.js';
import { paymentsSubgraph } from '../src/subgraph.js';
import { crashAfter, events, newOrder, saga, startStripe, testPrisma, truncateAll, WEBHOOK_SECRET, type StripeSetup } from './helpers.js';

/** 13–19 digits, contiguous or in groups of four separated by spaces or dashes, that pass the Luhn check. */
function cardNumbersIn(text: string): string[] {
  const candidates = text.match(/\b(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7})\b/g) ?? [];
  return candidates.filter((candidate) => {
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19) return false;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    return sum % 10 === 0;
  });
}

let db: PaymentsPrisma;
let stripe: StripeSetup;
let server: RunningSubgraph;
const lines: string[] = [];
let logger: Logger;

beforeAll(async () => {
  db = testPrisma();
  await truncateAll(db);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  logger = createLogger({ service: 'payments', level: 'trace', destination });
  stripe = await startStripe();
  server = await startSubgraph(
    paymentsSubgraph({ prisma: db, provider: stripe.provider, webhookSecret: WEBHOOK_SECRET, relay: false, consumers: false, logger }),
    { port: 0, host: '127.0.0.1', logger },
  );
  stripe.mock.setWebhookUrl(server.url.replace(/\/graphql$/, '/webhooks/stripe'));
});

afterAll(async () => {
  await server?.stop();
  if (db) await truncateAll(db);
  await db?.$disconnect();
  await stripe?.mock.stop();
});

describe('card data', () => {
  it('the scanner finds card numbers and ignores our ids', () => {
    expect(cardNumbersIn('card 4242424242424242 and 4000 0000 0000 0002, 5555-5555-5555-4444')).toEqual([
      '4242424242424242',
      '4000 0000 0000 0002',
      '5555-5555-5555-4444',
    ]);
    expect(cardNumbersIn('0193a7d0-0000-7000-8000-000000000001 2026-11-21T10:15:30.000Z pi_12345678901234567890 1763700000')).toEqual([]);
  });

  it('is neither stored nor logged through whole flows', async () => {
    const flow = saga(db, stripe.provider, paymentsLogger(logger));
    const paid = newOrder({ token: 'pm_card_visa' });
    for (const event of [events.orderPlaced(paid), events.stockReserved(paid), events.orderConfirmed(paid), events.refundRequested(paid, 1000)]) {
      await flow.deliver(event);
    }
    const declined = newOrder({ token: 'pm_card_chargeDeclinedInsufficientFunds' });
    await flow.deliver(events.orderPlaced(declined));
    await flow.deliver(events.stockReserved(declined));
    const crashed = newOrder({ token: 'pm_card_mastercard' });
    await flow.deliver(events.orderPlaced(crashed));
    await expect(saga(db, crashAfter(stripe.provider, 'authorize'), paymentsLogger(logger)).deliver(events.stockReserved(crashed))).rejects.toThrow();
    await stripe.mock.flushWebhooks();
    // A bad signature is logged too.
    await fetch(server.url.replace(/\/graphql$/, '/webhooks/stripe'), { method: 'POST', headers: { 'stripe-signature': 't=1,v1=00' }, body: '{}' });
    // A careless log line with a token field is censored.
    paymentsLogger(logger).info({ paymentMethodToken: 'pm_card_visa', payload: { paymentMethodToken: 'pm_card_visa' } }, 'careless');

    const tables = ['payments', 'refunds', 'stripe_webhook_events', 'outbox_events', 'processed_events'];
    const rows: string[] = [];
    for (const table of tables) {
      const found = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
      rows.push(...found.map((r) => r.row));
    }
    expect(rows.length).toBeGreaterThan(10);
    expect(cardNumbersIn(rows.join('\n'))).toEqual([]);
    // Outbox events (what other services see) carry no token either.
    const outbox = rows.filter((row) => row.includes('"envelope"'));
    expect(outbox.join('\n')).not.toMatch(/pm_card/);

    expect(lines.length).toBeGreaterThan(5);
    const log = lines.join('\n');
    expect(cardNumbersIn(log)).toEqual([]);
    expect(log).not.toMatch(/pm_card_(visa|mastercard|chargeDeclined)/);
    expect(lines.find((line) => line.includes('"careless"'))).toContain('[redacted]');
    expect(lines.some((line) => line.includes('stripe webhook rejected'))).toBe(true);
  });

  it('masks tokens for logs', () => {
    expect(maskToken('pm_card_visa')).toBe('pm_…visa');
    expect(maskToken('short')).toBe('…');
  });
});
