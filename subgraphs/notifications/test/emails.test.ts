/**
 * Each event that notifies, end to end from the handler to a real SMTP
 * server: the email that arrives (sender, recipient, subject, text and HTML
 * with the order's lines and totals), and the other channels' rows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveriesFor,
  newGuestOrder,
  newOrder,
  newUser,
  orderCancelled,
  orderPlaced,
  orderRefunded,
  passwordResetRequested,
  settled,
  startHarness,
  statusChanged,
  STOREFRONT_URL,
  truncateAll,
  userRegistered,
  type Harness,
  type ReceivedMail,
} from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await truncateAll(harness.db);
});
afterAll(async () => {
  await harness?.stop();
});

/** German and French typography put a no-break space before €; compare with a plain one. */
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

async function registeredUser(name?: string) {
  const user = newUser(name);
  const event = userRegistered(user);
  await harness.apply(event);
  await harness.smtp.waitForMailTo(user.email);
  return user;
}

async function mailFor(eventId: string, email: string, subject: string): Promise<ReceivedMail> {
  await settled(harness.db, eventId);
  return harness.smtp.waitFor((mail) => mail.envelope.to.includes(email) && mail.subject === subject);
}

describe('welcome', () => {
  it('emails a new user and puts a notification in their inbox', async () => {
    const user = newUser('Grace Hopper');
    const event = userRegistered(user);
    expect(await harness.apply(event)).toBe('handled');

    const mail = await harness.smtp.waitForMailTo(user.email);
    expect(mail.subject).toBe('Welcome to Commerce, Grace Hopper!');
    expect(mail.envelope.from).toBe('no-reply@shop.example.test');
    expect(mail.to).toEqual([user.email]);
    expect(mail.text).toContain('Hello Grace Hopper,');
    expect(mail.text).toContain(STOREFRONT_URL);
    expect(mail.html).toContain('<h1');
    expect(mail.html).toContain(`href="${STOREFRONT_URL}/"`);

    const rows = await settled(harness.db, event.eventId);
    expect(rows.map((row) => [row.channel, row.status, row.attempts])).toEqual([
      ['EMAIL', 'SENT', 1],
      ['IN_APP', 'SENT', 1],
    ]);
    const inbox = await harness.db.notification.findMany({ where: { userId: user.userId } });
    expect(inbox).toMatchObject([{ type: 'WELCOME', title: 'Welcome to Commerce', readAt: null }]);
  });

  it('gives the email a Message-ID derived from its delivery id', async () => {
    const user = newUser();
    const event = userRegistered(user);
    await harness.apply(event);
    const mail = await harness.smtp.waitForMailTo(user.email);
    const rows = await settled(harness.db, event.eventId);
    const email = rows.find((row) => row.channel === 'EMAIL');
    expect(mail.messageId).toBe(`<${email?.id}@shop.example.test>`);
    expect(email?.providerMessageId).toBe(mail.messageId);
    expect(mail.headers.get('x-commerce-delivery-id')).toBe(email?.id);
    expect(mail.headers.get('x-commerce-event-id')).toBe(event.eventId);
  });

  it('escapes what users typed: a name with markup is text in the HTML', async () => {
    const user = newUser('<img src=x onerror=alert(1)> & "Bob"');
    await harness.apply(userRegistered(user));
    const mail = await harness.smtp.waitForMailTo(user.email);
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;');
    expect(mail.text).toContain('<img src=x onerror=alert(1)> & "Bob"');
  });
});

describe('password reset', () => {
  it('emails a link with the token to the address of the request, and never logs the token', async () => {
    const user = await registeredUser('Reset Me');
    const token = randomBytes(32).toString('base64url');
    const event = passwordResetRequested({ ...user, email: user.email.toUpperCase() }, token);
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Reset your Commerce password');
    const link = `${STOREFRONT_URL}/reset-password?token=${token}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toMatch(/next (29|30) minutes/);

    // Only email: the link is a credential.
    const rows = await deliveriesFor(harness.db, event.eventId);
    expect(rows.map((row) => row.channel)).toEqual(['EMAIL']);
    // The delivery log keeps no copy of the link once sent.
    expect(rows[0]?.content).toBeNull();
    expect(harness.logs.join('\n')).not.toContain(token);
  });

  it('does not send a link that has already expired', async () => {
    const user = await registeredUser();
    const event = passwordResetRequested(user, randomBytes(32).toString('base64url'), new Date(Date.now() - 1_000));
    await harness.apply(event);
    expect(await deliveriesFor(harness.db, event.eventId)).toEqual([]);
  });

  it('reaches a user it never saw register, and remembers them', async () => {
    const user = newUser('Old Timer');
    const event = passwordResetRequested(user, randomBytes(32).toString('base64url'));
    await harness.apply(event);
    await mailFor(event.eventId, user.email, 'Reset your Commerce password');
    expect(await harness.db.userContact.findUnique({ where: { userId: user.userId } })).toMatchObject({ email: user.email, name: 'Old Timer' });
  });
});

describe('order emails', () => {
  it('confirms an order with its lines and totals in dollars', async () => {
    const user = await registeredUser('Ada Lovelace');
    const order = newOrder(user.userId, 'USD');
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);

    const mail = await mailFor(event.eventId, user.email, 'Your order is confirmed');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Trail Running Shoe');
      expect(body).toContain('SHOE-42');
      expect(body).toContain('Merino Socks');
      expect(body).toContain('$49.99');
      expect(body).toContain('$99.98');
      expect(body).toContain('$25.02');
      expect(body).toContain('$125.00');
      expect(body).toContain('−$5.00');
      expect(body).toContain('$9.99');
      expect(body).toContain('$129.99');
      expect(body).toContain(order.orderId);
      expect(body).toContain(`${STOREFRONT_URL}/orders/${order.orderId}`);
    }
    expect(mail.text).toContain('2 × Trail Running Shoe (SHOE-42) @ $49.99 = $99.98');
    expect(mail.text).toContain('Total: $129.99');
    expect(mail.text).toContain('Your order for $129.99 is confirmed.');

    const rows = await deliveriesFor(harness.db, event.eventId);
    expect(rows.map((row) => [row.channel, row.status])).toEqual([
      ['EMAIL', 'SENT'],
      ['PUSH', 'SENT'],
      ['IN_APP', 'SENT'],
    ]);
    const [inApp] = await harness.db.notification.findMany({ where: { userId: user.userId, type: 'ORDER_CONFIRMED' } });
    expect(inApp).toMatchObject({ title: 'Thank you for your order', orderId: order.orderId, link: `${STOREFRONT_URL}/orders/${order.orderId}` });
  });

  it('formats euros the German way', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId, 'EUR');
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your order is confirmed');
    expect(plain(mail.text)).toContain('Total: 129,99 €');
    expect(plain(mail.text)).toContain('49,99 €');
    expect(plain(mail.html)).toContain('129,99 €');
  });

  it('escapes product names in the HTML', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order, { lines: [{ name: '<b>Bold</b> & "Quoted"', sku: 'X<1>', quantity: 1, unitPriceMinor: 1000 }] }));
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your order is confirmed');
    expect(mail.html).toContain('&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Quoted&quot;');
    expect(mail.html).toContain('X&lt;1&gt;');
    expect(mail.html).not.toContain('<b>Bold</b>');
  });

  it('tells the shopper when the payment failed, with the reason', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const event = orderCancelled(order, 'PAYMENT_FAILED', 'Your card was declined.');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your payment did not go through');
    expect(mail.text).toContain('Reason: Your card was declined.');
    expect(mail.text).toContain('nothing was charged');
    expect(mail.text).toContain('$129.99');
    const rows = await deliveriesFor(harness.db, event.eventId);
    // No phone number is known, so no SMS row.
    expect(rows.map((row) => row.channel)).toEqual(['EMAIL', 'PUSH', 'IN_APP']);
  });

  it('sends nothing for other cancellations, or for order.status_changed to PAYMENT_FAILED (order.cancelled covers it)', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const cancelled = orderCancelled(order, 'CANCELLED', 'Out of stock');
    const failedStatus = statusChanged(order, 'STOCK_RESERVED', 'PAYMENT_FAILED');
    const reserved = statusChanged(order, 'PENDING', 'STOCK_RESERVED');
    for (const event of [cancelled, failedStatus, reserved]) {
      await harness.apply(event);
      expect(await deliveriesFor(harness.db, event.eventId)).toEqual([]);
    }
  });

  it.each([
    ['SHIPPED', 'Your order has shipped', 'on its way'],
    ['DELIVERED', 'Your order was delivered', 'was delivered'],
  ] as const)('tells the shopper when the order is %s', async (status, subject, phrase) => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'FULFILLED', status);
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, subject);
    expect(mail.text).toContain(phrase);
    expect(mail.text).toContain('Merino Socks');
    expect(mail.text).toContain('Total: $129.99');
    expect(mail.html).toContain('$129.99');
  });

  it('puts the tracking number into the shipping email and its short form', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'FULFILLED', 'SHIPPED', { trackingNumber: '1Z999AA10123456784' });
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your order has shipped');
    expect(mail.text).toContain('Tracking number: 1Z999AA10123456784');
    expect(mail.html).toContain('Tracking number: 1Z999AA10123456784');
    const inApp = (await settled(harness.db, event.eventId)).find((row) => row.channel === 'IN_APP');
    expect(JSON.stringify(inApp?.content)).toContain('tracking number 1Z999AA10123456784');
  });

  it('still notifies when order.placed was never seen, without lines', async () => {
    const user = await registeredUser();
    const order = newOrder(user.userId);
    const event = statusChanged(order, 'FULFILLED', 'SHIPPED');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your order has shipped');
    expect(mail.text).toContain('You can see the details of your order in your account.');
    expect(mail.text).toContain(`${STOREFRONT_URL}/orders/${order.orderId}`);
  });

  it('notifies in-app only when the user is unknown (no email address)', async () => {
    const order = newOrder(newUser().userId);
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);
    const rows = await settled(harness.db, event.eventId);
    expect(rows.map((row) => row.channel)).toEqual(['PUSH', 'IN_APP']);
    expect(harness.logs.some((line) => line.includes('no email address known for this user'))).toBe(true);
  });

  it('texts the shopper when a phone number is known (logging SMS provider)', async () => {
    const user = await registeredUser();
    await harness.db.userContact.update({ where: { userId: user.userId }, data: { phone: '+49 30 1234567' } });
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'FULFILLED', 'SHIPPED');
    await harness.apply(event);
    const rows = await settled(harness.db, event.eventId);
    const sms = rows.find((row) => row.channel === 'SMS');
    expect(sms).toMatchObject({ status: 'SENT', recipient: '+49 30 1234567', providerMessageId: `logged-sms-${sms?.id}` });
    const logged = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.channel === 'sms' && line.deliveryId === sms?.id);
    expect(logged).toMatchObject({ to: '…567', text: `Your order has shipped. ${STOREFRONT_URL}/orders/${order.orderId}` });
  });
});

describe('refund emails (order.refunded)', () => {
  const refundMails = (email: string) => harness.smtp.to(email).filter((mail) => mail.subject.includes('refund is on its way'));

  it('a partial refund: one email with the refunded amount and the order number, and an in-app note; a redelivery sends nothing more', async () => {
    const user = await registeredUser('Katherine Johnson');
    const order = { ...newOrder(user.userId), orderNumber: '100321' };
    await harness.apply(orderPlaced(order));
    const event = orderRefunded(order, { amountMinor: 1050, fullyRefunded: false });
    const { refundRequestId } = event.payload as { refundRequestId: string };
    expect(await harness.apply(event)).toBe('handled');

    const mail = await mailFor(refundRequestId, user.email, 'A partial refund is on its way');
    expect(mail.text).toContain('Hello Katherine Johnson,');
    expect(mail.text).toContain('We refunded $10.50 of your order to your payment method.');
    expect(mail.text).toContain('Order #100321');
    // The order as placed, for reference: its lines and the total paid.
    expect(mail.text).toContain('Total: $129.99');
    expect(mail.html).toContain('$10.50');
    await settled(harness.db, refundRequestId);
    const rows = await harness.db.delivery.findMany({ where: { eventId: refundRequestId }, orderBy: { channel: 'asc' } });
    expect(rows.map((row) => [row.channel, row.type, row.eventType, row.orderId])).toEqual([
      ['EMAIL', 'ORDER_REFUNDED', 'order.refunded', order.orderId],
      ['IN_APP', 'ORDER_REFUNDED', 'order.refunded', order.orderId],
    ]);
    const inbox = await harness.db.notification.findMany({ where: { userId: user.userId, type: 'ORDER_REFUNDED' } });
    expect(inbox.map((note) => [note.title, note.body])).toEqual([['Partial refund', 'Order #100321: We refunded $10.50 of your order.']]);

    // The same event again (a redelivery), and another event for the same refund request: nothing more.
    expect(await harness.apply(event)).toBe('duplicate');
    const again = orderRefunded(order, { amountMinor: 1050, fullyRefunded: false, refundRequestId });
    expect(await harness.apply(again)).toBe('handled');
    expect(await harness.db.delivery.count({ where: { orderId: order.orderId } })).toBe(2);
    // A later email to the same address proves the dispatcher had its chance to send a copy.
    const later = orderRefunded(order, { amountMinor: 119, fullyRefunded: false });
    await harness.apply(later);
    await mailFor((later.payload as { refundRequestId: string }).refundRequestId, user.email, 'A partial refund is on its way');
    expect(refundMails(user.email).map((m) => m.text.match(/We refunded (\S+)/)?.[1])).toEqual(['$10.50', '$1.19']);
  });

  it('a full refund: one email saying so; the status change to REFUNDED sends nothing more', async () => {
    const user = await registeredUser();
    const order = { ...newOrder(user.userId, 'EUR'), orderNumber: '100322' };
    await harness.apply(orderPlaced(order));
    const refunded = orderRefunded(order, { amountMinor: 12999, fullyRefunded: true });
    const status = statusChanged(order, 'DELIVERED', 'REFUNDED');
    // orders writes both in one transaction; they travel on two topics, in either order.
    await harness.apply(status);
    await harness.apply(refunded);
    const mail = await mailFor((refunded.payload as { refundRequestId: string }).refundRequestId, user.email, 'Your refund is on its way');
    expect(plain(mail.text)).toContain('We refunded 129,99 € to your payment method. Your order is now refunded in full.');
    expect(mail.text).toContain('Order #100322');
    expect(await deliveriesFor(harness.db, status.eventId)).toEqual([]);
    expect(refundMails(user.email)).toHaveLength(1);
    const inApp = await harness.db.notification.findFirst({ where: { userId: user.userId, type: 'ORDER_REFUNDED' } });
    expect(plain(inApp?.body ?? '')).toBe('Order #100322: We refunded 129,99 €; your order is refunded in full.');
  });

  it('an event from before orders said full or partial (nor the number or email): neutral words, number and guest email from order.placed', async () => {
    const email = `guest-${randomBytes(4).toString('hex')}@example.com`;
    const order = newGuestOrder(email, '100323');
    await harness.apply(orderPlaced(order));
    const event = orderRefunded(order, { amountMinor: 500, legacy: true });
    await harness.apply(event);
    const mail = await mailFor((event.payload as { refundRequestId: string }).refundRequestId, email, 'Your refund is on its way');
    expect(mail.text).toContain('We refunded $5.00 to your payment method.');
    expect(mail.text).not.toContain('in full');
    expect(mail.text).toContain('Order #100323');
    expect(mail.text).toContain(`${STOREFRONT_URL}/order-lookup?number=100323`);
  });

  it('respects the shopper switching refund notifications off', async () => {
    const user = await registeredUser();
    await harness.db.notificationPreference.create({ data: { userId: user.userId, disabledTypes: ['ORDER_REFUNDED'], disabledChannels: [] } });
    const order = newOrder(user.userId);
    await harness.apply(orderPlaced(order));
    const event = orderRefunded(order, { amountMinor: 1000, fullyRefunded: false });
    expect(await harness.apply(event)).toBe('handled');
    expect(await harness.db.delivery.count({ where: { orderId: order.orderId } })).toBe(0);
  });
});

describe('guest order emails', () => {
  const guestEmail = () => `guest-${randomBytes(4).toString('hex')}@example.com`;
  const lookupUrl = (number: string) => `${STOREFRONT_URL}/order-lookup?number=${number}`;

  it('emails a guest at the order’s email with a link to the order lookup (number filled in), never to /orders/<id>', async () => {
    const email = guestEmail();
    const order = newGuestOrder(email, '100777');
    await harness.apply(orderPlaced(order));
    // The snapshot of a guest order has no user (no placeholder id).
    expect(await harness.db.orderSnapshot.findUnique({ where: { orderId: order.orderId } })).toMatchObject({ userId: null, totalMinor: 12999 });
    const event = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
    await harness.apply(event);

    const mail = await mailFor(event.eventId, email, 'Your order is confirmed');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Order #100777');
      expect(body).toContain(lookupUrl('100777'));
      expect(body).not.toContain(`/orders/${order.orderId}`);
    }
    expect(mail.html).toContain(`href="${lookupUrl('100777')}"`);
    // No account: email only (no inbox, no device to push to).
    const rows = await deliveriesFor(harness.db, event.eventId);
    expect(rows.map((row) => [row.channel, row.recipient])).toEqual([['EMAIL', email]]);
  });

  it('links the payment-failed email of a guest to the order lookup too', async () => {
    const email = guestEmail();
    const order = newGuestOrder(email, '100778');
    await harness.apply(orderPlaced(order));
    const event = orderCancelled(order, 'PAYMENT_FAILED', 'Your card was declined.');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, email, 'Your payment did not go through');
    expect(mail.text).toContain(lookupUrl('100778'));
    expect(mail.text).not.toContain('/orders/');
  });

  it('an account’s order keeps linking to /orders/<id>, number or not', async () => {
    const user = await registeredUser();
    const order = { ...newOrder(user.userId), orderNumber: '100779', email: user.email };
    await harness.apply(orderPlaced(order));
    const event = statusChanged(order, 'FULFILLED', 'SHIPPED');
    await harness.apply(event);
    const mail = await mailFor(event.eventId, user.email, 'Your order has shipped');
    expect(mail.text).toContain(`${STOREFRONT_URL}/orders/${order.orderId}`);
    expect(mail.text).not.toContain('/order-lookup');
  });
});

describe('replays', () => {
  it('builds the read models from old events but notifies nobody', async () => {
    const user = newUser();
    const old = userRegistered(user, { occurredAt: new Date(Date.now() - 3 * 24 * 60 * 60 * 1000) });
    await harness.apply(old);
    expect(await deliveriesFor(harness.db, old.eventId)).toEqual([]);
    expect(await harness.db.userContact.findUnique({ where: { userId: user.userId } })).toMatchObject({ email: user.email });
  });
});
