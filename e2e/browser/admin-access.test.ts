/**
 * Who may enter the admin console: an anonymous visitor gets the sign-in
 * page, a signed-in customer a 403 page, neither any admin data in the HTML;
 * the seeded admin signs in through the form and gets the console.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { expectNoSeriousAxeViolations, screenshot, DESKTOP, MOBILE } from './support/browser.ts';
import { confirmedOrder, loginTokens, newAdminContext, rawGet, signInThroughForm, signedInAdmin } from './support/admin.ts';
import { registeredShopper, seededProducts } from './support/shop.ts';

const SECTIONS = ['/', '/products', '/categories', '/inventory', '/orders', '/customers', '/discount-codes', '/notifications', '/audit-log'];

/** Strings only the console's own pages hold: the section nav and the admin's identity. */
function expectNoConsoleIn(html: string, secrets: string[]): void {
  expect(html).not.toContain('aria-label="Sections"');
  expect(html).not.toContain('Sign out</button></form></div></header>');
  for (const secret of secrets) expect(html).not.toContain(secret);
}

describe('the admin console, for someone who is not an admin', () => {
  it('an anonymous visitor is sent to the sign-in page from every section, and gets no admin data', async () => {
    const [product] = await seededProducts(5);
    const variant = product?.variants[0];
    if (!product || !variant) throw new Error('no seeded product');
    const order = await confirmedOrder(variant.id);
    const secrets = [order.number, order.email, inject('admin').email, variant.sku];
    for (const path of [...SECTIONS, `/orders/${order.id}`, `/inventory/${variant.id}`]) {
      const answer = await rawGet(path);
      expect(answer.status, path).toBe(307);
      expect(answer.location, path).toMatch(new RegExp(`^(/|${inject('adminUrl')}/)sign-in\\?returnTo=`));
      expectNoConsoleIn(answer.html, secrets);
    }
    const context = await newAdminContext();
    const page = await context.newPage();
    await page.goto(new URL(`/orders/${order.id}`, inject('adminUrl')).toString());
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe(`/orders/${order.id}`);
    expectNoConsoleIn(await page.content(), secrets);
    await expectNoSeriousAxeViolations(page);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await screenshot(page, 'admin-sign-in');
    }
    await context.close();
  });

  it('a signed-in customer gets a 403 page on every section, and no admin data', async () => {
    const [product] = await seededProducts(5);
    const variant = product?.variants[0];
    if (!product || !variant) throw new Error('no seeded product');
    const order = await confirmedOrder(variant.id);
    const customer = await registeredShopper('admin-customer');
    const context = await newAdminContext();
    const page = await context.newPage();
    await signInThroughForm(page, customer);
    await page.getByRole('heading', { level: 1, name: 'No access' }).waitFor();
    expectNoConsoleIn(await page.content(), [order.number, order.email]);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, 'admin-403');

    // The same for every page, straight from the server with the customer's session cookie.
    const { accessToken } = await loginTokens(customer.email, customer.password);
    for (const path of [...SECTIONS, `/orders/${order.id}`, `/inventory/${variant.id}`]) {
      const answer = await rawGet(path, { adm_at: accessToken });
      expect(answer.status, path).toBe(403);
      expectNoConsoleIn(answer.html, [order.number, order.email, variant.sku]);
    }
    // The cookies are the console's own: httpOnly, SameSite=Strict.
    const cookies = await context.cookies();
    const session = cookies.filter((cookie) => cookie.name.startsWith('adm_'));
    expect(session.map((c) => c.name).sort()).toEqual(['adm_at', 'adm_rt']);
    for (const cookie of session) expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.some((cookie) => cookie.name.startsWith('sf_'))).toBe(false);

    // And the graph itself refuses the customer the console's reads.
    const answer = await fetch(inject('routerUrl'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: '{ orders(first: 1) { totalCount } stockLevels(first: 1) { edges { node { sku } } } }' }),
    });
    const body = (await answer.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    expect(JSON.stringify(body.data ?? null)).not.toContain(variant.sku);
    await context.close();
  });

  it('a wrong password is told next to the password field', async () => {
    const context = await newAdminContext();
    const page = await context.newPage();
    await page.goto(new URL('/sign-in', inject('adminUrl')).toString());
    await page.getByLabel('Email').fill(inject('admin').email);
    await page.getByLabel('Password').fill('not-the-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const password = page.getByLabel('Password');
    await page.getByText('That email and password do not match.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    await context.close();
  });
});

describe('the admin console, for the admin', () => {
  it('signs in through the form, shows every section in the nav, and signs out', async () => {
    const page = await signedInAdmin();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    for (const name of ['Dashboard', 'Products', 'Categories', 'Inventory', 'Orders', 'Customers', 'Discount codes', 'Notifications', 'Audit log']) {
      expect(await nav.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await nav.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // Keyboard: the skip link comes first and moves focus to the content; the nav works with Tab and Enter.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
    await nav.getByRole('link', { name: 'Orders' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Orders' }).getAttribute('aria-current')).toBe('page');

    // Nothing of it is kept by the browser or a proxy.
    const response = await page.reload();
    expect(response?.headers()['cache-control']).toContain('no-store');

    // Signing out ends the session: the cookies go, and the console is closed again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect((await page.context().cookies()).filter((cookie) => cookie.name.startsWith('adm_'))).toEqual([]);
    await page.goto(new URL('/orders', inject('adminUrl')).toString());
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.context().close();
  });
});
