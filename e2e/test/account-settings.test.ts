/**
 * Account settings through the router only, with the real mail path: users
 * writes the event to its outbox, the relay publishes it to Kafka, the
 * notifications subgraph consumes it and sends the email over SMTP to a local
 * sink, and the test follows the link in the email like a shopper would.
 * Covers changing the password, changing the email through the confirmation
 * link, the password-reset link's path, and deleting the account (a review
 * the account wrote then shows a null author).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@commerce/config';
import { kafkaGroupId } from '@commerce/events';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { errorCode, graphql, graphqlOk, resetDatabase, uniqueEmail, waitForConsumerGroups } from '@commerce/testing';
import { notificationsSubgraph, startSmtpSink, type ReceivedMail, type SmtpSink } from '../../subgraphs/notifications/src/index.ts';
import { E2E_ADMIN, startGraph, type Graph } from './support/graph.ts';

const STOREFRONT_URL = 'https://shop.e2e.test';
const PASSWORD = 'correct-horse-battery-9';
const NEW_PASSWORD = 'brand-new-secret-7';

let graph: Graph;
let url: string;
let smtp: SmtpSink;
let notifications: RunningSubgraph;

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; name: string; email: string };
}
const SESSION = 'accessToken refreshToken user { id name email }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${SESSION} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${SESSION} } }`;
const REFRESH = `mutation($token: String!) { refreshSession(input: { refreshToken: $token }) { ${SESSION} } }`;
const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ${SESSION} } }`;
const REQUEST_EMAIL_CHANGE = `mutation($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) { newEmail expiresAt } }`;
const CONFIRM_EMAIL_CHANGE = `mutation($token: String!) { confirmEmailChange(input: { token: $token }) { email user { id name } } }`;
const DELETE_ACCOUNT = `mutation($password: String!) { deleteAccount(input: { currentPassword: $password }) { deletedUserId } }`;
const ME = '{ me { id email name } }';

const login = (email: string, password: string) => graphql<{ login: Session }>(url, LOGIN, { variables: { input: { email, password } } });

/** The first message to `address` with this subject, waiting for it to arrive through Kafka and SMTP. */
async function mailTo(address: string, subject: string, timeoutMs = 30_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = smtp.messages.find((mail) => mail.envelope.to.includes(address.toLowerCase()) && mail.subject === subject);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no "${subject}" to ${address} within ${timeoutMs} ms (${smtp.messages.map((m) => `${m.subject} → ${m.envelope.to.join(',')}`).join('; ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The link in a mail's text that starts with `prefix`, as a URL. */
function linkIn(mail: ReceivedMail, prefix: string): URL {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no link starting with ${prefix} in: ${mail.text}`);
  expect(mail.html).toContain(`href="${link}"`);
  return new URL(link);
}

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  // Notifications joins the graph's Kafka (startGraph set this run's consumer-group prefix) and mails a local sink.
  await resetDatabase(databaseUrl('notifications', 'test'));
  smtp = await startSmtpSink({ port: 0 });
  notifications = await startSubgraph(
    notificationsSubgraph({
      env: 'test',
      fromBeginning: false,
      smtp: { host: smtp.host, port: smtp.port, secure: false, timeoutMs: 5_000 },
      storefrontUrl: STOREFRONT_URL,
      dispatcher: { pollIntervalMs: 200, backoffInitialMs: 1_000, backoffMaxMs: 5_000 },
    }),
    { port: 0 },
  );
  await waitForConsumerGroups([kafkaGroupId('notifications')]);
});

afterAll(async () => {
  await notifications?.stop();
  await smtp?.close();
  await graph?.stop();
});

describe('a shopper manages their account', () => {
  let shopper: Session & { email: string; password: string };

  it('registers and gets the welcome email', async () => {
    const email = uniqueEmail('settings');
    const data = await graphqlOk<{ register: Session }>(url, REGISTER, { variables: { input: { email, password: PASSWORD, name: 'Sasha Settings' } } });
    shopper = { ...data.register, email, password: PASSWORD };
    await mailTo(email, 'Welcome to Commerce, Sasha Settings!');
  });

  it('changes the password: the current one is required, other sessions end, the answer is a fresh session', async () => {
    const otherDevice = await graphqlOk<{ login: Session }>(url, LOGIN, { variables: { input: { email: shopper.email, password: PASSWORD } } });

    const wrong = await graphql(url, CHANGE_PASSWORD, {
      token: shopper.accessToken,
      variables: { input: { currentPassword: 'not-my-password-1', newPassword: NEW_PASSWORD } },
    });
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    const weak = await graphql(url, CHANGE_PASSWORD, { token: shopper.accessToken, variables: { input: { currentPassword: PASSWORD, newPassword: 'short' } } });
    expect(errorCode(weak)).toBe('WEAK_PASSWORD');

    const changed = await graphqlOk<{ changePassword: Session }>(url, CHANGE_PASSWORD, {
      token: shopper.accessToken,
      variables: { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
    });
    expect(changed.changePassword.user).toEqual({ id: shopper.user.id, name: 'Sasha Settings', email: shopper.email });
    expect(errorCode(await graphql(url, REFRESH, { variables: { token: otherDevice.login.refreshToken } }))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await graphql(url, REFRESH, { variables: { token: shopper.refreshToken } }))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await login(shopper.email, PASSWORD))).toBe('INVALID_CREDENTIALS');
    const signedIn = await graphqlOk<{ login: Session }>(url, LOGIN, { variables: { input: { email: shopper.email, password: NEW_PASSWORD } } });
    shopper = { ...shopper, ...signedIn.login, password: NEW_PASSWORD };
  });

  it('gets a password reset link that lands on the storefront at /reset-password', async () => {
    await graphqlOk(url, 'mutation($email: String!) { requestPasswordReset(input: { email: $email }) { success } }', {
      variables: { email: shopper.email },
    });
    const mail = await mailTo(shopper.email, 'Reset your Commerce password');
    const link = linkIn(mail, `${STOREFRONT_URL}/reset-password?token=`);
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('changes the email through the link sent to the NEW address; the old address gets a notice', async () => {
    const previousEmail = shopper.email;
    const newEmail = uniqueEmail('moved');
    const requested = await graphqlOk<{ requestEmailChange: { newEmail: string } }>(url, REQUEST_EMAIL_CHANGE, {
      token: shopper.accessToken,
      variables: { input: { newEmail, currentPassword: shopper.password } },
    });
    expect(requested.requestEmailChange.newEmail).toBe(newEmail);
    // Nothing changes before the link is used.
    expect((await graphqlOk<{ me: { email: string } }>(url, ME, { token: shopper.accessToken })).me.email).toBe(previousEmail);

    const mail = await mailTo(newEmail, 'Confirm your new Commerce email address');
    expect(mail.to).toEqual([newEmail]);
    const link = linkIn(mail, `${STOREFRONT_URL}/account/confirm-email?token=`);
    const token = link.searchParams.get('token') ?? '';

    // The storefront page posts the token; no session is needed (the link may be opened anywhere).
    const confirmed = await graphqlOk<{ confirmEmailChange: { email: string; user: { id: string } } }>(url, CONFIRM_EMAIL_CHANGE, { variables: { token } });
    expect(confirmed.confirmEmailChange).toEqual({ email: newEmail, user: { id: shopper.user.id, name: 'Sasha Settings' } });
    const again = await graphql(url, CONFIRM_EMAIL_CHANGE, { variables: { token } });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.extensions?.reason).toBe('INVALID_EMAIL_CHANGE_TOKEN');

    expect((await graphqlOk<{ me: { email: string } }>(url, ME, { token: shopper.accessToken })).me.email).toBe(newEmail);
    expect(errorCode(await login(previousEmail, shopper.password))).toBe('INVALID_CREDENTIALS');
    const signedIn = await graphqlOk<{ login: Session }>(url, LOGIN, { variables: { input: { email: newEmail, password: shopper.password } } });
    shopper = { ...shopper, ...signedIn.login, email: newEmail };

    const notice = await mailTo(previousEmail, 'Your Commerce email address was changed');
    expect(notice.text).toContain(newEmail);
  });

  it('deletes the account: the password is required, sessions end, and its review shows no author', async () => {
    const admin = await graphqlOk<{ login: { accessToken: string } }>(url, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      variables: { input: E2E_ADMIN },
    });
    const tag = Date.now().toString(36);
    const category = await graphqlOk<{ createCategory: { id: string } }>(url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }', {
      token: admin.login.accessToken,
      variables: { input: { name: `Account E2E ${tag}` } },
    });
    const product = await graphqlOk<{ createProduct: { id: string } }>(url, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      token: admin.login.accessToken,
      variables: {
        input: {
          name: `Account E2E Mug ${tag}`,
          categoryId: category.createCategory.id,
          variants: [{ sku: `ACC-E2E-${tag}`, name: 'One size', prices: [{ amountMinor: 1500, currency: 'USD' }] }],
        },
      },
    });
    const productId = product.createProduct.id;
    const review = await graphqlOk<{ createReview: { author: { name: string } | null } }>(
      url,
      'mutation($input: CreateReviewInput!) { createReview(input: $input) { author { name } } }',
      { token: shopper.accessToken, variables: { input: { productId, rating: 5, title: 'Lovely mug' } } },
    );
    expect(review.createReview.author).toEqual({ name: 'Sasha Settings' });

    const wrong = await graphql(url, DELETE_ACCOUNT, { token: shopper.accessToken, variables: { password: 'not-my-password-1' } });
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    const deleted = await graphqlOk<{ deleteAccount: { deletedUserId: string } }>(url, DELETE_ACCOUNT, {
      token: shopper.accessToken,
      variables: { password: shopper.password },
    });
    expect(deleted.deleteAccount.deletedUserId).toBe(shopper.user.id);

    // The access token is still well-formed until it expires, but names nobody.
    expect((await graphqlOk<{ me: unknown }>(url, ME, { token: shopper.accessToken })).me).toBeNull();
    expect(errorCode(await graphql(url, REFRESH, { variables: { token: shopper.refreshToken } }))).toBe('INVALID_REFRESH_TOKEN');
    expect(errorCode(await login(shopper.email, shopper.password))).toBe('INVALID_CREDENTIALS');

    // The review stays; its author resolves to null, and the listing still renders.
    const reviews = await graphqlOk<{ product: { reviews: { totalCount: number; edges: { node: { title: string; author: unknown } }[] } } }>(
      url,
      'query($id: ID!) { product(id: $id) { reviews { totalCount edges { node { title author { id name } } } } } }',
      { variables: { id: productId } },
    );
    expect(reviews.product.reviews.totalCount).toBe(1);
    expect(reviews.product.reviews.edges.map((e) => e.node)).toEqual([{ title: 'Lovely mug', author: null }]);

    // The email is free again: a new account, with a new id.
    const again = await graphqlOk<{ register: Session }>(url, REGISTER, { variables: { input: { email: shopper.email, password: PASSWORD, name: 'Sasha Again' } } });
    expect(again.register.user.id).not.toBe(shopper.user.id);
  });
});
