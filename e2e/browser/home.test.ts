/**
 * The first journey, proving the harness: the home page of the production
 * build renders with a heading and links to products, axe finds nothing
 * serious, and it is photographed at both widths.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, MOBILE, expectNoSeriousAxeViolations, openPage, screenshot } from './support/browser.ts';

describe('home page', () => {
  for (const viewport of [DESKTOP, MOBILE]) {
    it(`renders a heading and product links at ${viewport.width} px, with no serious axe violations`, async () => {
      const page = await openPage('/', { width: viewport.width });
      expect(await page.locator('h1').first().isVisible()).toBe(true);
      expect((await page.locator('h1').first().textContent())?.trim()).toBeTruthy();
      const productLinks = page.locator('a[href^="/p/"]');
      expect(await productLinks.count()).toBeGreaterThan(0);
      await expectNoSeriousAxeViolations(page);
      await screenshot(page, 'home');
      await page.context().close();
    });
  }
});
