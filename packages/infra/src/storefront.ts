/**
 * The storefront's production build and server, for `npm start`, the browser
 * tests and `bench:storefront`: one build, reused until its sources change,
 * and `next start` as a child process.
 *
 * Freshness is a sha256 of the files the build reads (storefront/src except
 * generated code, the config files, schema/api.graphql, the installed Next
 * version), stored in `.next/source-hash` after a successful build: a
 * checkout that only touches mtimes does not rebuild, an edit anywhere does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { repoRoot } from '@commerce/config';
import { log, sleep } from './util.js';

export const storefrontDir = (): string => join(repoRoot(), 'storefront');
const hashFile = (): string => join(storefrontDir(), '.next', 'source-hash');

/** Files outside storefront/src that change what `next build` produces. */
const CONFIG_FILES = ['next.config.ts', 'codegen.ts', 'package.json', 'tsconfig.json', 'postcss.config.mjs', 'scripts/write-manifest.mjs'];

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
export function storefrontSourceHash(): string {
  const dir = storefrontDir();
  const generated = join(dir, 'src', 'graphql', 'generated');
  const files: string[] = [];
  walk(join(dir, 'src'), (path) => path === generated, files);
  walk(join(dir, 'public'), () => false, files);
  for (const name of CONFIG_FILES) if (existsSync(join(dir, name))) files.push(join(dir, name));
  files.push(join(repoRoot(), 'schema', 'api.graphql'));
  const nextPackage = join(repoRoot(), 'node_modules', 'next', 'package.json');
  if (existsSync(nextPackage)) files.push(nextPackage);
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(repoRoot(), file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when `.next` holds a production build of the current sources. */
export function isStorefrontBuildFresh(): boolean {
  if (!existsSync(join(storefrontDir(), '.next', 'BUILD_ID')) || !existsSync(hashFile())) return false;
  return readFileSync(hashFile(), 'utf8').trim() === storefrontSourceHash();
}

export interface StorefrontBuildResult {
  built: boolean;
  durationMs: number;
}

/**
 * Runs `npm run build -w storefront` (codegen, `next build`, the operation
 * manifest) unless `.next` is already a build of the current sources. Throws
 * when the build fails; its output goes to this process's stderr.
 */
export function ensureStorefrontBuild(options: { force?: boolean } = {}): StorefrontBuildResult {
  const started = Date.now();
  if (!options.force && isStorefrontBuildFresh()) return { built: false, durationMs: 0 };
  const hash = storefrontSourceHash();
  log('building the storefront (next build)');
  const result = spawnSync('npm', ['run', '--silent', 'build', '-w', 'storefront'], {
    cwd: repoRoot(),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`the storefront build failed (npm run build -w storefront exited with ${result.status})`);
  writeFileSync(hashFile(), `${hash}\n`);
  const durationMs = Date.now() - started;
  log(`storefront built in ${(durationMs / 1000).toFixed(0)}s`);
  return { built: true, durationMs };
}

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
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The shop's public origin (STOREFRONT_URL); default http://<host>:<port>. */
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

/** `next start` on the production build, resolved once it answers HTTP. */
export async function startStorefront(options: StartStorefrontOptions): Promise<RunningStorefront> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort() : (options.port ?? 3000);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const nextBin = join(repoRoot(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', host], {
    cwd: storefrontDir(),
    stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ROUTER_URL: options.routerUrl,
      STOREFRONT_URL: options.publicUrl ?? url,
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
        throw new Error(`the storefront did not answer on ${url} within ${(options.timeoutMs ?? 60_000) / 1000}s`);
      }
      await sleep(250);
    }
  }
}
