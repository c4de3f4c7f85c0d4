/**
 * Helpers of the admin console's journeys: its URL under test, a signed-in
 * admin (through the sign-in form), shoppers and orders made through the
 * router, and the raw HTML a visitor without the admin role is given.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DESKTOP, MOBILE, launchBrowser, type BrowserContext, type Page } from './browser.ts';
import { PASSWORD, registeredShopper, routerGraphql } from './shop.ts';

export const adminUrl = (path = '/'): string => {
  const base = inject('adminUrl');
  if (!base) throw new Error('the stack runs no admin console (admin/ was not built)');
  return new URL(path, base).toString();
};

/** A fresh browser context on the admin's origin (own cookies). */
export async function newAdminContext(width: number = DESKTOP.width): Promise<BrowserContext> {
  const browser = await launchBrowser();
  return browser.newContext({
    viewport: { width, height: width <= MOBILE.width ? MOBILE.height : DESKTOP.height },
    baseURL: inject('adminUrl'),
    locale: 'en-GB',
  });
}

/** Signs in through the console's sign-in form; resolves on the page it lands on. */
export async function signInThroughForm(page: Page, credentials: { email: string; password: string }, path = '/'): Promise<void> {
  await page.goto(adminUrl(path));
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

/** A page of the console with the seeded admin signed in; it says yes to the console's "are you sure?" questions. */
export async function signedInAdmin(width: number = DESKTOP.width): Promise<Page> {
  const context = await newAdminContext(width);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signInThroughForm(page, inject('admin'));
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  return page;
}

export async function loginTokens(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const data = await routerGraphql<{ login: { accessToken: string; refreshToken: string } }>(
    'mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }',
    { input: { email, password } },
  );
  return data.login;
}

const SHIPPING_ADDRESS = { fullName: 'Ada Admin-Test', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' };

/**
 * A shopper's order placed through the router (cart, checkout with the test
 * card), waited for until the saga confirmed it.
 */
export async function confirmedOrder(variantId: string): Promise<{ id: string; number: string; email: string }> {
  const shopper = await registeredShopper('admin-order');
  const { accessToken } = await loginTokens(shopper.email, PASSWORD);
  const added = await routerGraphql<{ addCartLine: { cart: { id: string } } }>(
    'mutation($input: AddCartLineInput!) { addCartLine(input: $input) { cart { id } } }',
    { input: { variantId, quantity: 1 } },
    accessToken,
  );
  const placed = await routerGraphql<{ placeOrder: { id: string; number: string } }>(
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number } }',
    {
      input: {
        cartId: added.addCartLine.cart.id,
        shippingAddress: SHIPPING_ADDRESS,
        idempotencyKey: randomUUID(),
        paymentMethodToken: 'pm_card_visa',
      },
    },
    accessToken,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { order } = await routerGraphql<{ order: { status: string } }>('query($id: ID!) { order(id: $id) { status } }', { id: placed.placeOrder.id }, accessToken);
    if (order.status === 'CONFIRMED') break;
    if (['CANCELLED', 'PAYMENT_FAILED'].includes(order.status)) throw new Error(`the order ended ${order.status}`);
    if (Date.now() > deadline) throw new Error(`the order stayed ${order.status}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { id: placed.placeOrder.id, number: placed.placeOrder.number, email: shopper.email };
}

/** The console's answer to a plain HTTP GET with these cookies (no redirect followed): status, location and HTML. */
export async function rawGet(path: string, cookies: Record<string, string> = {}): Promise<{ status: number; location: string | null; html: string }> {
  const cookie = Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  const response = await fetch(adminUrl(path), { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}
