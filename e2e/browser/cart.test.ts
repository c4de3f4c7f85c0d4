/**
 * Cart journeys: the cart page, and two tabs of one shopper kept in step by
 * the live `cartUpdated` subscription (no reload).
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, MOBILE, expectNoSeriousAxeViolations, newShopper, openPage, screenshot } from './support/browser.ts';
import { seededProducts } from './support/shop.ts';

describe('cart', () => {
  it('two tabs: a line added in one shows in the other without a reload', async () => {
    const products = await seededProducts();
    const [first, second] = products;
    const firstVariant = first?.variants.find((v) => v.inStock);
    const secondVariant = second?.variants.find((v) => v.inStock);
    if (!first || !second || !firstVariant || !secondVariant) throw new Error('need two seeded products in stock');
    const context = await newShopper();
    const tabA = await openPage(`/p/${first.slug}?variant=${encodeURIComponent(firstVariant.sku)}`, { context });
    await tabA.getByRole('button', { name: 'Add to cart' }).click();
    await tabA.getByTestId('add-to-cart-status').getByRole('link', { name: 'View cart' }).waitFor();

    const tabB = await openPage('/cart', { context });
    await tabB.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    const lines = tabB.getByRole('list', { name: 'Items in your cart' });
    expect(await lines.getByRole('link', { name: first.name }).count()).toBe(1);
    await expectNoSeriousAxeViolations(tabB);
    for (const viewport of [DESKTOP, MOBILE]) {
      await tabB.setViewportSize(viewport);
      await screenshot(tabB, 'cart');
    }
    // Give the live subscription a moment to connect before the change it must see.
    await tabB.waitForTimeout(1_000);

    await tabA.goto(new URL(`/p/${second.slug}?variant=${encodeURIComponent(secondVariant.sku)}`, tabA.url()).toString());
    await tabA.getByRole('button', { name: 'Add to cart' }).click();
    await tabA.getByTestId('add-to-cart-status').getByRole('link', { name: 'View cart' }).waitFor();

    await expect.poll(() => lines.getByRole('link', { name: second.name }).count(), { timeout: 15_000 }).toBe(1);
    await context.close();
  });
});
