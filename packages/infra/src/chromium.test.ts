import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, ensureChromium } from './chromium.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chromium-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureChromium', () => {
  it('uses the browser that is there without running anything', async () => {
    const path = join(dir, 'chromium');
    writeFileSync(path, '');
    const calls: string[][] = [];
    const run = (command: string, args: string[]): number => {
      calls.push([command, ...args]);
      return 0;
    };
    expect(await ensureChromium({ path, uid: 1000, run })).toBe(path);
    expect(calls).toEqual([]);
  });

  it('installs Debian\'s chromium as root: apt-get update, then install', async () => {
    const path = join(dir, 'chromium');
    const calls: string[][] = [];
    const run = (command: string, args: string[]): number => {
      calls.push([command, ...args.filter((arg) => !arg.startsWith('-o') && !arg.startsWith('DPkg'))]);
      if (args.includes('install')) writeFileSync(path, '');
      return 0;
    };
    expect(await ensureChromium({ path, uid: 0, run })).toBe(path);
    expect(calls).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'chromium'],
    ]);
  });

  it('says what to run when it is missing and the user is not root', async () => {
    await expect(ensureChromium({ path: join(dir, 'chromium'), uid: 1000, run: () => 0 })).rejects.toThrow(
      /needs root.*apt-get install -y chromium/,
    );
  });

  it('fails clearly when apt-get fails', async () => {
    await expect(ensureChromium({ path: join(dir, 'chromium'), uid: 0, run: (_c, a) => (a.includes('update') ? 0 : 100) })).rejects.toThrow(
      'apt-get install -y chromium failed',
    );
  });
});

describe('chromiumLaunchOptions', () => {
  it('launches Debian\'s Chromium headless without a sandbox', () => {
    expect(chromiumLaunchOptions()).toMatchObject({
      executablePath: '/usr/bin/chromium',
      args: expect.arrayContaining(['--headless', '--no-sandbox', '--disable-gpu', '--disable-sync']),
    });
  });
});
