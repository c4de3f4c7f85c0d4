/**
 * Checkout journeys, through the local payment provider's test cards (the
 * Stripe mock behind the payments subgraph): the whole way from browsing to
 * a CONFIRMED order in the account, a guest checkout done with the keyboard
 * alone and looked up by number and email, and a declined card paid again
 * without rebuilding the cart.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, MOBILE, expectNoSeriousAxeViolations, newShopper, openPage, screenshot, type Page } from './support/browser.ts';
import { PASSWORD, seededCategory, seededProducts, uniqueEmail } from './support/shop.ts';

const VISA = '4242 4242 4242 4242';
const DECLINED = '4000 0000 0000 0002';

/** Presses Tab until `target` has the focus: proof that the keyboard reaches it. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, maxTabs = 80): Promise<void> {
  for (let i = 0; i < maxTabs; i++) {
    // Runs in the page: `globalThis.document` there (this workspace has no DOM types).
    if (await target.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the keyboard never reached ${target.toString()} in ${maxTabs} tabs`);
}

interface CheckoutDetails {
  email?: string;
  card: string;
  keyboard?: boolean;
}

/** Fills the checkout form and places the order; with `keyboard`, only with Tab, typing and Enter. */
async function placeOrder(page: Page, details: CheckoutDetails): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  const fields: [string, string][] = [
    ...(details.email ? ([['Email', details.email]] as [string, string][]) : []),
    ['Full name', 'Ada Shopper'],
    ['Street address', '1 Market Street'],
    ['City', 'San Francisco'],
    ['State or region', 'CA'],
    ['Postal code', '94105'],
    ['Card number', details.card],
    ['Expiry date (MM/YY)', '12/34'],
    ['Security code (CVC)', '123'],
    ['Name on card', 'Ada Shopper'],
  ];
  const newAddress = page.getByRole('radio', { name: 'A new address' });
  if (await newAddress.count()) await newAddress.check();
  const country = page.getByLabel('Country');
  if ((await country.count()) && !(await country.inputValue())) await country.selectOption('US');
  for (const [label, value] of fields) {
    const field = page.getByLabel(label, { exact: label !== 'Email' });
    if (!(await field.count())) continue;
    if (details.keyboard) {
      await tabTo(page, field.first());
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(value);
    } else {
      await field.first().fill(value);
    }
  }
  const submit = page.getByRole('button', { name: 'Place order' });
  if (details.keyboard) {
    await tabTo(page, submit);
    await page.keyboard.press('Enter');
  } else {
    await submit.click();
  }
  await page.waitForURL(/\/orders\//, { timeout: 30_000 });
}

async function statusReaches(page: Page, status: string, timeoutMs = 30_000): Promise<void> {
  await expect.poll(() => page.getByTestId('order-status').getAttribute('data-status'), { timeout: timeoutMs }).toBe(status);
}

async function addToCart(page: Page, slug: string, sku: string): Promise<void> {
  await page.goto(new URL(`/p/${slug}?variant=${encodeURIComponent(sku)}`, page.url()).toString());
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByTestId('add-to-cart-status').getByRole('link', { name: 'View cart' }).waitFor();
}

describe('checkout', () => {
  it('anonymous browse → facets → typo search → variant → cart → sign up (cart merged) → checkout → CONFIRMED live → the order in the account', async () => {
    const category = await seededCategory();
    const context = await newShopper();
    const page = await openPage(`/c/${category.slug}`, { context });
    // A facet is a link that keeps the filter in the URL.
    const facet = page.locator('.facet-link:not([aria-current="true"])').first();
    await facet.click();
    await page.waitForURL(/\?/);
    expect(await page.locator('a[href^="/p/"]').count()).toBeGreaterThan(0);

    // Search with a typo: a letter dropped from a seeded product's name.
    const [product] = await seededProducts();
    const variant = product?.variants.find((v) => v.inStock);
    if (!product || !variant) throw new Error('no seeded product in stock');
    const word = product.name.split(/\s+/).find((w) => w.length >= 5) ?? product.name;
    const typo = word.slice(0, 2) + word.slice(3);
    const search = page.getByRole('combobox', { name: 'Search products' });
    await search.fill(typo);
    await search.press('Enter');
    await page.waitForURL(/\/search\?/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.locator('a[href^="/p/"]').count()).toBeGreaterThan(0);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, 'search-typo-journey');

    // The product with a chosen variant, into the cart.
    await addToCart(page, product.slug, variant.sku);

    // Sign up: the anonymous cart is merged into the account's.
    await page.goto(new URL('/account/sign-up', page.url()).toString());
    const email = uniqueEmail('journey');
    await page.getByLabel('Name').fill('Journey Shopper');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/account/sign-up'));
    await page.goto(new URL('/cart', page.url()).toString());
    expect(await page.getByRole('list', { name: 'Items in your cart' }).getByRole('link', { name: product.name }).count()).toBe(1);

    // Checkout, then the live status reaches CONFIRMED.
    await page.getByRole('link', { name: 'Checkout' }).click();
    await expectNoSeriousAxeViolations(page);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await screenshot(page, 'checkout-journey');
    }
    await page.setViewportSize(DESKTOP);
    await placeOrder(page, { card: VISA });
    await statusReaches(page, 'CONFIRMED');
    const number = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').match(/#(\d+)/)?.[1];
    expect(number).toBeTruthy();
    await screenshot(page, 'order-confirmed');

    await page.goto(new URL('/account', page.url()).toString());
    await page.getByRole('link', { name: `Order #${number}` }).waitFor();
    await context.close();
  }, 300_000);

  it('a guest checks out with the keyboard alone, then finds the order by number and email', async () => {
    const [, product] = await seededProducts();
    const variant = product?.variants.find((v) => v.inStock);
    if (!product || !variant) throw new Error('no seeded product in stock');
    const page = await openPage('/');
    await addToCart(page, product.slug, variant.sku);
    await page.goto(new URL('/checkout', page.url()).toString());
    const email = uniqueEmail('guest');
    await placeOrder(page, { email, card: VISA, keyboard: true });
    await statusReaches(page, 'CONFIRMED');
    const number = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').match(/#(\d+)/)?.[1];
    if (!number) throw new Error('the order page shows no order number');

    const lookup = await openPage('/order-lookup');
    await lookup.getByLabel('Order number').fill(number);
    await lookup.getByLabel('Email').fill(email);
    await lookup.getByRole('button', { name: 'Find order' }).click();
    await lookup.getByRole('heading', { name: `Order #${number}` }).waitFor();
    await expectNoSeriousAxeViolations(lookup);
    await page.context().close();
    await lookup.context().close();
  });

  it('a declined card shows a clear message, and the shopper pays again without rebuilding the cart', async () => {
    const products = await seededProducts();
    const product = products[2] ?? products[0];
    const variant = product?.variants.find((v) => v.inStock);
    if (!product || !variant) throw new Error('no seeded product in stock');
    const page = await openPage('/');
    await addToCart(page, product.slug, variant.sku);
    await page.goto(new URL('/checkout', page.url()).toString());
    const email = uniqueEmail('declined');
    await placeOrder(page, { email, card: DECLINED });
    await statusReaches(page, 'PAYMENT_FAILED');
    const message = (await page.getByTestId('order-status').textContent()) ?? '';
    expect(message).toMatch(/declin|payment/i);
    await screenshot(page, 'order-declined');

    await page.getByRole('link', { name: 'Try another card' }).click();
    await page.waitForURL(/\/checkout/);
    // The cart comes back (the cart subgraph restores it on order.cancelled, over Kafka): the order
    // summary lists the product again. On a slow machine the restore can outlast the retry's wait; the
    // shopper reloads, never rebuilds.
    const summary = page.getByRole('complementary', { name: 'Your order' }).getByText(product.name).first();
    await screenshot(page, 'checkout-retry');
    await expect
      .poll(
        async () => {
          if (await summary.isVisible()) return true;
          await page.reload();
          return summary.isVisible();
        },
        { timeout: 45_000, interval: 2_000, message: `the restored cart on ${page.url()}: ${((await page.locator('main').textContent()) ?? '').slice(0, 300)}` },
      )
      .toBe(true);
    await placeOrder(page, { email, card: VISA });
    await statusReaches(page, 'CONFIRMED');
    await page.context().close();
  });
});
