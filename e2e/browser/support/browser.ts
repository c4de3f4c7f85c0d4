/**
 * Helpers of the browser journeys: pages of the storefront under test in
 * Debian's Chromium (playwright-core, launched with the project's flags),
 * axe checks, screenshots, and the email the local SMTP sink received.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { repoRoot } from '@commerce/config';
import { chromiumLaunchOptions } from '@commerce/infra';

export type { Browser, BrowserContext, Page };

export const DESKTOP = { width: 1280, height: 800 } as const;
export const MOBILE = { width: 390, height: 844 } as const;
/** Git-ignored (.cache/): every key page at both widths, to look at. */
export const SCREENSHOT_DIR = join(repoRoot(), '.cache', 'screenshots');

let browser: Promise<Browser> | undefined;

export function launchBrowser(): Promise<Browser> {
  browser ??= chromium.launch(chromiumLaunchOptions());
  return browser;
}

export async function closeBrowser(): Promise<void> {
  const open = browser;
  browser = undefined;
  await (await open)?.close();
}

export const storefrontUrl = (path = '/'): string => new URL(path, inject('storefrontUrl')).toString();

export interface OpenPageOptions {
  /** Viewport width; 390 or less is a phone (height 844), anything else 800 high. Default desktop. */
  width?: number;
  /** Open in this context (e.g. a signed-in shopper's second tab) instead of a fresh one. */
  context?: BrowserContext;
}

/** A fresh shopper (own cookies) on `path` of the storefront, loaded. */
export async function newShopper(width: number = DESKTOP.width): Promise<BrowserContext> {
  const b = await launchBrowser();
  return b.newContext({
    viewport: { width, height: width <= MOBILE.width ? MOBILE.height : DESKTOP.height },
    baseURL: inject('storefrontUrl'),
    locale: 'en-US',
  });
}

export async function openPage(path: string, options: OpenPageOptions = {}): Promise<Page> {
  const context = options.context ?? (await newShopper(options.width));
  const page = await context.newPage();
  const response = await page.goto(storefrontUrl(path), { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${path}`);
  return page;
}

export interface AxeViolationSummary {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core on the page as it is; fails listing every serious or critical violation with its elements. */
export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious: AxeViolationSummary[] = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  if (serious.length > 0) {
    const lines = serious.map((v) => `  - [${v.impact}] ${v.id}: ${v.help}\n      ${v.targets.join('\n      ')}`);
    throw new Error(`axe found ${serious.length} serious/critical violation(s) on ${page.url()}:\n${lines.join('\n')}`);
  }
}

/** Saves a full-page screenshot as `.cache/screenshots/<name>-<viewport width>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? DESKTOP.width;
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface Mail {
  to: string[];
  from: string | null;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

function mailsTo(address: string): Mail[] {
  const dir = inject('mailDir');
  const wanted = address.toLowerCase();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Mail)
    .filter((mail) => mail.to.includes(wanted));
}

export interface ReadMailOptions {
  /** Only a message whose subject contains this (or matches it). */
  subject?: string | RegExp;
  /** How long to wait for it to arrive (default 15 s). */
  timeoutMs?: number;
}

/** The latest email to `to` that the stack's SMTP sink received, waiting for it to arrive. */
export async function readLatestMail(to: string, options: ReadMailOptions = {}): Promise<Mail> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const { subject } = options;
  const matches = (mail: Mail): boolean =>
    subject === undefined || (typeof subject === 'string' ? mail.subject.includes(subject) : subject.test(mail.subject));
  for (;;) {
    const found = mailsTo(to).filter(matches).at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${to}${subject ? ` with subject ${String(subject)}` : ''} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The first link in an email's text that points at the storefront under test. */
export function storefrontLinkIn(mail: Mail): string {
  const base = inject('storefrontUrl');
  const link = mail.text.match(/https?:\/\/\S+/g)?.find((url) => url.startsWith(base));
  if (!link) throw new Error(`no storefront link in "${mail.subject}"`);
  return link.replace(/[).,>]+$/, '');
}
