/**
 * Debian's Chromium for the browser tests, Lighthouse and screenshots. No
 * browser is downloaded by Playwright or Lighthouse: the project installs the
 * distribution's package when it is missing (CI runs as root) and every tool
 * launches it with the same flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { log } from './util.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless Chromium in a container: no sandbox (root), no GPU, nothing phoning home. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Options for playwright-core's `chromium.launch()` (structurally typed: this package does not depend on Playwright). */
export function chromiumLaunchOptions(): { executablePath: string; args: string[]; headless: true } {
  return { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS], headless: true };
}

export interface EnsureChromiumOptions {
  /** Where the browser must be (default /usr/bin/chromium). */
  path?: string;
  /** The effective user id; injectable for tests (default process.getuid()). */
  uid?: number | undefined;
  /** Runs a command; injectable for tests (default spawnSync with inherited output). */
  run?: (command: string, args: string[]) => number | null;
}

let installing: Promise<string> | undefined;

/**
 * Resolves with the path of Chromium, installing Debian's `chromium` package
 * (`apt-get update`, then `apt-get install -y chromium`) when it is missing.
 * Needs root to install; anyone else gets an error that says what to run.
 */
export function ensureChromium(options: EnsureChromiumOptions = {}): Promise<string> {
  const path = options.path ?? CHROMIUM_PATH;
  if (existsSync(path)) return Promise.resolve(path);
  if (options.run === undefined && installing) return installing;
  const attempt = (async () => {
    const uid = 'uid' in options ? options.uid : process.getuid?.();
    if (uid !== 0) {
      throw new Error(
        `Chromium is missing (${path}) and installing it needs root. Run: sudo apt-get update && sudo apt-get install -y chromium`,
      );
    }
    const run =
      options.run ??
      ((command: string, args: string[]): number | null =>
        spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status);
    log(`Chromium is missing (${path}); installing Debian's chromium package`);
    const started = Date.now();
    // Waits for another apt/dpkg run (e.g. a parallel set-up) instead of failing on its lock.
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    if (run('apt-get', [...lock, 'update']) !== 0) throw new Error('apt-get update failed; Chromium could not be installed');
    if (run('apt-get', [...lock, 'install', '-y', 'chromium']) !== 0) {
      throw new Error('apt-get install -y chromium failed');
    }
    if (!existsSync(path)) throw new Error(`apt-get installed chromium but ${path} does not exist`);
    log(`Chromium installed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    return path;
  })();
  if (options.run === undefined) {
    installing = attempt;
    attempt.catch(() => {
      installing = undefined;
    });
  }
  return attempt;
}
