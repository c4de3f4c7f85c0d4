/**
 * Account journeys: an anonymous cart merged at sign-up, and a password reset
 * through the link in the email the local SMTP server received.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, MOBILE, expectNoSeriousAxeViolations, newShopper, openPage, readLatestMail, screenshot, storefrontLinkIn } from './support/browser.ts';
import { PASSWORD, registeredShopper, seededProducts, uniqueEmail } from './support/shop.ts';

describe('sign up', () => {
  it("an anonymous shopper's cart is merged into the new account", async () => {
    const [product] = await seededProducts();
    const variant = product?.variants.find((v) => v.inStock);
    if (!product || !variant) throw new Error('no seeded product in stock');
    const context = await newShopper();
    const page = await openPage(`/p/${product.slug}?variant=${encodeURIComponent(variant.sku)}`, { context });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByTestId('add-to-cart-status').getByRole('link', { name: 'View cart' }).waitFor();

    await page.goto(new URL('/account/sign-up', page.url()).toString());
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, 'sign-up');
    await page.getByLabel('Name').fill('Merge Shopper');
    await page.getByLabel('Email').fill(uniqueEmail('merge'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/account/sign-up'));

    await page.goto(new URL('/cart', page.url()).toString());
    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    expect(await page.getByRole('list', { name: 'Items in your cart' }).getByRole('link', { name: product.name }).count()).toBe(1);
    await context.close();
  });
});

describe('password reset', () => {
  it('works through the link in the email the local SMTP server received', async () => {
    const shopper = await registeredShopper('reset');
    const page = await openPage('/account/forgot-password');
    await expectNoSeriousAxeViolations(page);
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();

    const mail = await readLatestMail(shopper.email, { subject: /reset/i, timeoutMs: 30_000 });
    const link = storefrontLinkIn(mail);
    expect(link).toContain('/reset-password?token=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const newPassword = 'browser-new-password-2';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    // The form's own confirmation (the header has live regions of its own).
    await page.locator('main p.notice--ok[role="status"]').waitFor();

    await page.goto(new URL('/account/sign-in', page.url()).toString());
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await expectNoSeriousAxeViolations(page);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await screenshot(page, 'account');
    }
    await page.context().close();
  });
});
