/**
 * The admin console's notifications (issue 11), over the real subgraph, the
 * real ecommerce_notifications_test database and a real SMTP server: the
 * delivery log with each attempt (retries and failures with the error) and
 * its filters, resend through the dispatcher, template previews with a real
 * order from the read model, notificationsAuditLog, and the role checks.
 */
import { randomUUID } from 'node:crypto';
import { UserDeleted } from '@commerce/events';
import { tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envelope,
  newGuestOrder,
  newOrder,
  newUser,
  orderPlaced,
  orderRefunded,
  passwordResetRequested,
  settled,
  startHarness,
  statusChanged,
  truncateAll,
  until,
  userRegistered,
  type Harness,
} from './support/harness.js';

let harness: Harness;
let admin: { token: string; userId: string };
let customer: { token: string; userId: string };

const DELIVERIES = `query ($first: Int, $after: String, $filter: NotificationDeliveryFilter) {
  notificationDeliveries(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id type channel recipient userId user { id } orderId status attempts lastError sentAt failedAt summary eventType
      resendOf { id } requestedBy attemptLog { attempt outcome error at } } } } }`;
const RESEND = `mutation ($input: ResendNotificationInput!) { resendNotification(input: $input) { id type channel recipient status eventType resendOf { id } requestedBy orderId } }`;
const PREVIEW = `query ($template: NotificationType!, $orderId: ID) { notificationTemplatePreview(template: $template, orderId: $orderId) {
  template orderId subject text html title body link } }`;
const AUDIT = `query ($filter: AuditLogFilter) { notificationsAuditLog(filter: $filter) {
  totalCount edges { node { domain action actorId actor { id } targetType targetId changes at } } } }`;

interface DeliveryView {
  id: string;
  type: string;
  channel: string;
  recipient: string;
  userId: string | null;
  orderId: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  summary: string | null;
  eventType: string;
  resendOf: { id: string } | null;
  requestedBy: string | null;
  attemptLog: { attempt: number; outcome: string; error: string | null; at: string }[];
}
type Deliveries = { notificationDeliveries: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: DeliveryView }[] } };

const deliveries = async (filter: Record<string, unknown>, first = 20) =>
  (await harness.ok<Deliveries>(DELIVERIES, { token: admin.token, variables: { filter, first } })).notificationDeliveries;

async function codeOf(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, unknown> | undefined> {
  const result = await harness.gql(query, { token, variables });
  expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
  return result.errors?.[0]?.extensions as Record<string, unknown> | undefined;
}

beforeAll(async () => {
  harness = await startHarness();
  await truncateAll(harness.db);
  admin = await tokenFor({ roles: ['ADMIN'] });
  customer = await tokenFor({ roles: ['CUSTOMER'] });
});

afterAll(async () => {
  harness.smtp.reject = null;
  await harness?.stop();
});

describe('the delivery log', () => {
  it('shows every attempt: failures with their error, then the send; filters by recipient (any case), user, channel and status', async () => {
    const user = newUser('Grace Hopper');
    harness.smtp.reject = 'Mailbox temporarily unavailable';
    const event = userRegistered(user);
    await harness.apply(event);
    // Two failed attempts, then the mail server recovers.
    await until(async () => ((await harness.db.deliveryAttempt.count({ where: { delivery: { eventId: event.eventId, channel: 'EMAIL' } } })) >= 2 ? true : undefined));
    harness.smtp.reject = null;
    await settled(harness.db, event.eventId, 15_000);

    const byRecipient = await deliveries({ recipient: user.email.toUpperCase(), channel: 'EMAIL' });
    expect(byRecipient.totalCount).toBe(1);
    const email = byRecipient.edges[0]!.node;
    expect(email).toMatchObject({ type: 'WELCOME', channel: 'EMAIL', recipient: user.email, userId: user.userId, status: 'SENT', summary: 'Welcome to Commerce, Grace Hopper!', eventType: 'user.registered', resendOf: null });
    expect(email.attempts).toBeGreaterThanOrEqual(3);
    expect(email.attemptLog.map((attempt) => attempt.attempt)).toEqual(Array.from({ length: email.attempts }, (_, index) => index + 1));
    expect(email.attemptLog.at(-1)).toMatchObject({ outcome: 'SENT', error: null });
    for (const failed of email.attemptLog.slice(0, -1)) {
      expect(failed.outcome).toBe('FAILED');
      expect(failed.error).toMatch(/Mailbox temporarily unavailable/);
    }

    const byUser = await deliveries({ userId: user.userId });
    expect(byUser.totalCount).toBe(2);
    expect(byUser.edges.map((edge) => edge.node.channel).sort()).toEqual(['EMAIL', 'IN_APP']);
    expect((await deliveries({ userId: user.userId, status: 'FAILED' })).totalCount).toBe(0);
    expect((await deliveries({ userId: user.userId, channel: 'SMS' })).totalCount).toBe(0);
  });

  it('filters by order and pages newest first with a total', async () => {
    const user = newUser('Ada Lovelace');
    await harness.apply(userRegistered(user));
    const order = { ...newOrder(user.userId), orderNumber: '100777' };
    await harness.apply(orderPlaced(order));
    const confirmed = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(confirmed);
    await settled(harness.db, confirmed.eventId);

    const all = await deliveries({ orderId: order.orderId });
    expect(all.totalCount).toBe(3);
    expect(all.edges.map((edge) => edge.node.channel).sort()).toEqual(['EMAIL', 'IN_APP', 'PUSH']);
    for (const { node } of all.edges) expect(node).toMatchObject({ orderId: order.orderId, type: 'ORDER_CONFIRMED', status: 'SENT' });
    const page1 = await deliveries({ orderId: order.orderId }, 2);
    expect(page1.edges).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await harness.ok<Deliveries>(DELIVERIES, { token: admin.token, variables: { filter: { orderId: order.orderId }, first: 2, after: page1.pageInfo.endCursor } }))
      .notificationDeliveries;
    expect(page2.edges).toHaveLength(1);
    expect(new Set([...page1.edges, ...page2.edges].map((edge) => edge.node.id)).size).toBe(3);
    expect((await deliveries({ orderId: order.orderId, channel: 'PUSH' })).totalCount).toBe(1);
  });

  it('lists a refund email like the others, and a resend delivers it again', async () => {
    const user = newUser('Mary Jackson');
    await harness.apply(userRegistered(user));
    const order = { ...newOrder(user.userId), orderNumber: '100889' };
    await harness.apply(orderPlaced(order));
    const refunded = orderRefunded(order, { amountMinor: 2500, fullyRefunded: false });
    await harness.apply(refunded);
    await settled(harness.db, (refunded.payload as { refundRequestId: string }).refundRequestId);

    const log = await deliveries({ orderId: order.orderId, type: 'ORDER_REFUNDED', channel: 'EMAIL' });
    expect(log.totalCount).toBe(1);
    const email = log.edges[0]!.node;
    expect(email).toMatchObject({ type: 'ORDER_REFUNDED', recipient: user.email, status: 'SENT', summary: 'A partial refund is on its way', eventType: 'order.refunded' });

    const resent = (await harness.ok<{ resendNotification: DeliveryView }>(RESEND, { token: admin.token, variables: { input: { deliveryId: email.id } } })).resendNotification;
    expect(resent).toMatchObject({ type: 'ORDER_REFUNDED', resendOf: { id: email.id }, orderId: order.orderId });
    await until(async () => ((await harness.db.delivery.findUnique({ where: { id: resent.id } }))?.status === 'SENT' ? true : undefined));
    const copies = harness.smtp.to(user.email).filter((mail) => mail.subject === 'A partial refund is on its way');
    expect(copies).toHaveLength(2);
    for (const copy of copies) expect(copy.text).toContain('We refunded $25.00 of your order');
  });

  it('is for admins only', async () => {
    expect((await codeOf(DELIVERIES, {}, customer.token))?.code).toBe('FORBIDDEN');
    expect((await codeOf(DELIVERIES, {}))?.code).toBe('UNAUTHENTICATED');
  });
});

describe('resendNotification', () => {
  it('queues a new delivery through the dispatcher, which sends it, and records it in the audit log', async () => {
    const user = newUser('Katherine Johnson');
    await harness.apply(userRegistered(user));
    const order = { ...newOrder(user.userId), orderNumber: '100888' };
    await harness.apply(orderPlaced(order));
    const shipped = statusChanged(order, 'FULFILLED', 'SHIPPED');
    await harness.apply(shipped);
    const rows = await settled(harness.db, shipped.eventId);
    const original = rows.find((row) => row.channel === 'EMAIL')!;
    const mailsBefore = harness.smtp.to(user.email).length;

    const resent = (await harness.ok<{ resendNotification: DeliveryView }>(RESEND, { token: admin.token, variables: { input: { deliveryId: original.id } } })).resendNotification;
    expect(resent).toMatchObject({ type: 'ORDER_SHIPPED', channel: 'EMAIL', recipient: user.email, eventType: 'admin.resend', resendOf: { id: original.id }, requestedBy: admin.userId, orderId: order.orderId });
    expect(resent.id).not.toBe(original.id);

    const sent = await until(async () => {
      const row = await harness.db.delivery.findUnique({ where: { id: resent.id } });
      return row?.status === 'SENT' ? row : undefined;
    });
    expect(sent.attempts).toBe(1);
    await until(async () => (harness.smtp.to(user.email).length === mailsBefore + 1 ? true : undefined));
    const mails = harness.smtp.to(user.email);
    expect(mails.at(-1)?.subject).toBe('Your order has shipped');
    expect(await harness.db.deliveryAttempt.findMany({ where: { deliveryId: resent.id } })).toMatchObject([{ attempt: 1, outcome: 'SENT' }]);

    type Audit = { notificationsAuditLog: { totalCount: number; edges: { node: { domain: string; action: string; actorId: string; actor: { id: string }; targetType: string; targetId: string; changes: string } }[] } };
    const audit = (await harness.ok<Audit>(AUDIT, { token: admin.token, variables: { filter: { targetId: original.id } } })).notificationsAuditLog;
    expect(audit.totalCount).toBe(1);
    expect(audit.edges[0]?.node).toMatchObject({ domain: 'notifications', action: 'resendNotification', actorId: admin.userId, actor: { id: admin.userId }, targetType: 'NotificationDelivery', targetId: original.id });
    expect(JSON.parse(audit.edges[0]!.node.changes)).toMatchObject({ newDeliveryId: resent.id, input: { deliveryId: original.id } });
  });

  it('refuses one-time links, unknown deliveries and non-admins, and changes nothing then', async () => {
    const user = newUser('Alan Turing');
    const reset = passwordResetRequested(user, `token-${randomUUID()}`);
    await harness.apply(reset);
    const [row] = await settled(harness.db, reset.eventId);
    const before = await harness.db.delivery.count();
    expect(await codeOf(RESEND, { input: { deliveryId: row!.id } }, admin.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deliveryId' });
    expect((await codeOf(RESEND, { input: { deliveryId: randomUUID() } }, admin.token))?.code).toBe('NOT_FOUND');
    expect((await codeOf(RESEND, { input: { deliveryId: row!.id } }, customer.token))?.code).toBe('FORBIDDEN');
    expect((await codeOf(RESEND, { input: { deliveryId: row!.id } }))?.code).toBe('UNAUTHENTICATED');
    expect((await codeOf(AUDIT, {}, customer.token))?.code).toBe('FORBIDDEN');
    // A deleted account gets nothing again.
    const gone = newUser('Deleted Person');
    const welcome = userRegistered(gone);
    await harness.apply(welcome);
    const sentToGone = (await settled(harness.db, welcome.eventId)).find((delivery) => delivery.channel === 'EMAIL')!;
    await harness.apply(envelope(UserDeleted, gone.userId, { userId: gone.userId, deletedAt: new Date().toISOString() }));
    expect(await codeOf(RESEND, { input: { deliveryId: sentToGone.id } }, admin.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deliveryId' });
    const countNow = await harness.db.delivery.count();
    expect(countNow).toBeGreaterThan(before);
    expect(await harness.db.auditEntry.count({ where: { targetId: sentToGone.id } })).toBe(0);
    expect(await harness.db.delivery.count()).toBe(countNow);
    expect(await harness.db.delivery.count({ where: { resendOfId: { not: null }, recipient: gone.email } })).toBe(0);
    expect(await harness.db.auditEntry.count({ where: { targetId: row!.id } })).toBe(0);
  });
});

describe('notificationTemplatePreview', () => {
  type Preview = { notificationTemplatePreview: { template: string; orderId: string | null; subject: string; text: string; html: string; title: string; body: string; link: string | null } };

  it("renders an order template with a real order's lines, totals, number and the customer's name", async () => {
    const user = newUser('Dorothy Vaughan');
    await harness.apply(userRegistered(user));
    const order = { ...newOrder(user.userId), orderNumber: '100999' };
    await harness.apply(orderPlaced(order));
    const preview = (await harness.ok<Preview>(PREVIEW, { token: admin.token, variables: { template: 'ORDER_SHIPPED', orderId: order.orderId } })).notificationTemplatePreview;
    expect(preview).toMatchObject({ template: 'ORDER_SHIPPED', orderId: order.orderId, subject: 'Your order has shipped', link: `https://shop.example.test/orders/${order.orderId}` });
    expect(preview.text).toContain('Dorothy Vaughan'.split(' ')[0]);
    expect(preview.text).toContain('Order #100999');
    expect(preview.text).toContain('Trail Running Shoe');
    expect(preview.text).toContain('129.99');
    expect(preview.html).toContain('Merino Socks');
    expect(preview.body).toBe('Order #100999: Your order has shipped.');

    // A guest order links to the order lookup; PAYMENT_FAILED carries a sample reason.
    const guest = newGuestOrder('guest@example.test', '101000');
    await harness.apply(orderPlaced(guest));
    const failed = (await harness.ok<Preview>(PREVIEW, { token: admin.token, variables: { template: 'PAYMENT_FAILED', orderId: guest.orderId } })).notificationTemplatePreview;
    expect(failed.link).toBe('https://shop.example.test/order-lookup?number=101000');
    // Left out: the most recently placed order.
    const latest = (await harness.ok<Preview>(PREVIEW, { token: admin.token, variables: { template: 'ORDER_CONFIRMED' } })).notificationTemplatePreview;
    expect(latest.orderId).toBe(guest.orderId);
    // A refund previews as a full refund of the order's total.
    const refund = (await harness.ok<Preview>(PREVIEW, { token: admin.token, variables: { template: 'ORDER_REFUNDED', orderId: order.orderId } })).notificationTemplatePreview;
    expect(refund).toMatchObject({ template: 'ORDER_REFUNDED', subject: 'Your refund is on its way', body: 'Order #100999: We refunded $129.99; your order is refunded in full.' });
    expect(refund.text).toContain('We refunded $129.99 to your payment method. Your order is now refunded in full.');
  });

  it('renders account templates with sample data; NOT_FOUND for an order notifications never saw; admins only', async () => {
    const welcome = (await harness.ok<Preview>(PREVIEW, { token: admin.token, variables: { template: 'WELCOME' } })).notificationTemplatePreview;
    expect(welcome).toMatchObject({ template: 'WELCOME', orderId: null, subject: 'Welcome to Commerce, Alex Example!' });
    expect(welcome.html).toContain('<html');
    expect((await codeOf(PREVIEW, { template: 'ORDER_SHIPPED', orderId: randomUUID() }, admin.token))?.code).toBe('NOT_FOUND');
    expect((await codeOf(PREVIEW, { template: 'WELCOME' }, customer.token))?.code).toBe('FORBIDDEN');
  });
});
