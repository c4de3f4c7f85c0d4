/**
 * Once per vitest run, before any browser test file: Chromium installed if
 * missing, the test environment prepared (the root global setup may run after
 * this one; preparing twice in one process is free), the storefront and the
 * admin console built if their sources changed, then the stack started in its
 * own process (stack.ts). Its URLs are provided to the tests: `inject('storefrontUrl')`,
 * `inject('adminUrl')`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureAdminBuild, ensureChromium, ensureStorefrontBuild } from '@commerce/infra';
import { prepareTestEnvironment } from '../../../scripts/test-setup/prepare.ts';
import { awaitReady, stopChildProcess } from '../../../scripts/bench/child-process.ts';
import type { BrowserStackInfo } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    storefrontUrl: string;
    adminUrl: string;
    routerUrl: string;
    mailDir: string;
    admin: { email: string; password: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const say = (message: string): void => void process.stderr.write(`[browser] ${message}\n`);
  await ensureChromium();
  await prepareTestEnvironment();
  const build = ensureStorefrontBuild();
  say(build.built ? `storefront built in ${(build.durationMs / 1000).toFixed(0)}s` : 'storefront build is up to date (.next reused)');
  const adminBuild = ensureAdminBuild();
  say(adminBuild.built ? `admin built in ${(adminBuild.durationMs / 1000).toFixed(0)}s` : 'admin build is up to date (admin/.next reused)');

  const child: ChildProcess = fork(fileURLToPath(new URL('./stack.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'test', APP_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await awaitReady<{ type: 'ready' } & BrowserStackInfo>(child, 'browser stack').catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  const phases = Object.entries(ready.timings)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)}s`)
    .join(', ');
  say(`stack ready in ${((Date.now() - started) / 1000).toFixed(0)}s (${phases}); storefront ${ready.storefrontUrl}, admin ${ready.adminUrl}, router ${ready.routerUrl}, ${ready.products} products`);
  project.provide('storefrontUrl', ready.storefrontUrl);
  project.provide('adminUrl', ready.adminUrl);
  project.provide('routerUrl', ready.routerUrl);
  project.provide('mailDir', ready.mailDir);
  project.provide('admin', ready.admin);
  return () => stopChildProcess(child, { type: 'stop' }, 20_000);
}
