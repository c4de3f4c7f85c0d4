/**
 * The Next.js apps' production builds and servers (the storefront, and the
 * admin console in admin/), for `npm start`, the browser tests and
 * `bench:storefront`: one build per app, reused until its sources change,
 * and `next start` as a child process. The storefront's names
 * (ensureStorefrontBuild, startStorefront…) are the same helpers for `storefront`.
 *
 * Freshness is a sha256 of the files the build reads (<app>/src except
 * generated code, the config files, packages/next-kit, schema/api.graphql,
 * the installed Next version), stored in `.next/source-hash` after a successful build: a
 * checkout that only touches mtimes does not rebuild, an edit anywhere does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { repoRoot } from '@commerce/config';
import { log, sleep } from './util.js';

/** The Next.js apps of the repository, each a workspace folder of that name. */
export type NextApp = 'storefront' | 'admin';

export const nextAppDir = (app: NextApp): string => join(repoRoot(), app);
export const storefrontDir = (): string => nextAppDir('storefront');
export const adminDir = (): string => nextAppDir('admin');
const hashFile = (app: NextApp): string => join(nextAppDir(app), '.next', 'source-hash');

/** Files outside <app>/src that change what `next build` produces. */
const CONFIG_FILES = ['next.config.ts', 'codegen.ts', 'package.json', 'tsconfig.json', 'postcss.config.mjs'];
/** The plumbing both apps share (bundled into each build; its scripts run codegen's hook and write the manifest). */
const SHARED_PACKAGE_DIRS = ['packages/next-kit/src', 'packages/next-kit/scripts'];

function walk(dir: string, skip: (path: string) => boolean, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    if (entry.isDirectory()) walk(path, skip, out);
    else if (entry.isFile()) out.push(path);
  }
}

/** sha256 over the path and content of every file the build depends on. */
export function nextAppSourceHash(app: NextApp): string {
  const dir = nextAppDir(app);
  const generated = join(dir, 'src', 'graphql', 'generated');
  const files: string[] = [];
  walk(join(dir, 'src'), (path) => path === generated, files);
  walk(join(dir, 'public'), () => false, files);
  for (const name of CONFIG_FILES) if (existsSync(join(dir, name))) files.push(join(dir, name));
  for (const shared of SHARED_PACKAGE_DIRS) walk(join(repoRoot(), shared), () => false, files);
  files.push(join(repoRoot(), 'schema', 'api.graphql'));
  const nextPackage = join(repoRoot(), 'node_modules', 'next', 'package.json');
  if (existsSync(nextPackage)) files.push(nextPackage);
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(repoRoot(), file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export const storefrontSourceHash = (): string => nextAppSourceHash('storefront');

/** True when `<app>/.next` holds a production build of the current sources. */
export function isNextAppBuildFresh(app: NextApp): boolean {
  if (!existsSync(join(nextAppDir(app), '.next', 'BUILD_ID')) || !existsSync(hashFile(app))) return false;
  return readFileSync(hashFile(app), 'utf8').trim() === nextAppSourceHash(app);
}

export const isStorefrontBuildFresh = (): boolean => isNextAppBuildFresh('storefront');

export interface StorefrontBuildResult {
  built: boolean;
  durationMs: number;
}

/**
 * Runs `npm run build -w <app>` (codegen, `next build`, the operation
 * manifest) unless `.next` is already a build of the current sources. Throws
 * when the build fails; its output goes to this process's stderr.
 */
export function ensureNextAppBuild(app: NextApp, options: { force?: boolean } = {}): StorefrontBuildResult {
  const started = Date.now();
  if (!options.force && isNextAppBuildFresh(app)) return { built: false, durationMs: 0 };
  const hash = nextAppSourceHash(app);
  log(`building the ${app} (next build)`);
  const result = spawnSync('npm', ['run', '--silent', 'build', '-w', app], {
    cwd: repoRoot(),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`the ${app} build failed (npm run build -w ${app} exited with ${result.status})`);
  writeFileSync(hashFile(app), `${hash}\n`);
  const durationMs = Date.now() - started;
  log(`${app} built in ${(durationMs / 1000).toFixed(0)}s`);
  return { built: true, durationMs };
}

export const ensureStorefrontBuild = (options: { force?: boolean } = {}): StorefrontBuildResult => ensureNextAppBuild('storefront', options);
/** The admin console's build (admin/), as ensureStorefrontBuild. */
export const ensureAdminBuild = (options: { force?: boolean } = {}): StorefrontBuildResult => ensureNextAppBuild('admin', options);

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the caller to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartStorefrontOptions {
  /** The router's HTTP endpoint, as the storefront server reaches it. */
  routerUrl: string;
  /** Default 3000 (the admin: 3001); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The app's public origin (STOREFRONT_URL; the admin's ADMIN_URL); default http://<host>:<port>. */
  publicUrl?: string;
  /** Extra environment, e.g. APP_ENV. */
  env?: NodeJS.ProcessEnv;
  /** Where the server's output goes (default: inherited). */
  stdio?: 'inherit' | 'ignore';
  /** How long to wait for the first HTTP answer (default 60 s). */
  timeoutMs?: number;
}

export interface RunningStorefront {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `next start` on the app's production build, resolved once it answers HTTP. */
export async function startNextApp(app: NextApp, options: StartStorefrontOptions): Promise<RunningStorefront> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort() : (options.port ?? (app === 'admin' ? 3001 : 3000));
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const nextBin = join(repoRoot(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', host], {
    cwd: nextAppDir(app),
    stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ROUTER_URL: options.routerUrl,
      ...(app === 'admin' ? { ADMIN_URL: options.publicUrl ?? url } : { STOREFRONT_URL: options.publicUrl ?? url }),
      ...options.env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode} before it answered on ${url}`);
    try {
      // Any HTTP answer means the server is up; the page itself is the tests' business.
      await fetch(`${url}/robots.txt`, { signal: AbortSignal.timeout(2_000) });
      return { url, port, process: child, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the ${app} did not answer on ${url} within ${(options.timeoutMs ?? 60_000) / 1000}s`);
      }
      await sleep(250);
    }
  }
}

export const startStorefront = (options: StartStorefrontOptions): Promise<RunningStorefront> => startNextApp('storefront', options);
/** The admin console under `next start` (ROUTER_URL from options.routerUrl; STOREFRONT_URL for its links goes in options.env). */
export const startAdmin = (options: StartStorefrontOptions): Promise<RunningStorefront> => startNextApp('admin', options);
