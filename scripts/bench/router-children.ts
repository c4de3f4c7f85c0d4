/**
 * The parent's side of the router benchmark's child processes: start one
 * per role (its own event loop, as in production), ask for its CPU time,
 * stop it. Every child started is remembered, for CPU breakdowns and for
 * stopping them all at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readEnv } from '@commerce/config';
import { productionJwtKeys } from './jwt-keys.ts';
import { askChild, awaitReady, stopChildProcess } from './child-process.ts';
import type { FromChild, Role, RolePayloads, ToChild } from './router-protocol.ts';

const childEntry = fileURLToPath(new URL('./router-child.ts', import.meta.url));
const profileDir = fileURLToPath(new URL('../../.cache/bench-profiles', import.meta.url));

export interface Child {
  role: Role;
  /** Role plus what it serves, for CPU breakdowns. */
  label: string;
  process: ChildProcess;
  url: string;
  detail: string | undefined;
}

export interface ChildOptions {
  label?: string;
  /** Added to the inherited environment (feature switches a target reads from env). */
  env?: Record<string, string>;
}

export class Children {
  readonly all: Child[] = [];
  private jwtKeys: ReturnType<typeof productionJwtKeys> | undefined;

  async start<R extends Role>(role: R, payload: RolePayloads[R], options: ChildOptions = {}): Promise<Child> {
    // BENCH_CPU_PROF=<role> writes a V8 CPU profile of each such process into .cache/bench-profiles on exit.
    const profile = readEnv('BENCH_CPU_PROF') === role ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    this.jwtKeys ??= productionJwtKeys();
    const jwtKeys = await this.jwtKeys;
    const child = fork(childEntry, ['--role', role, '--payload', JSON.stringify(payload)], {
      execArgv: [...process.execArgv, ...profile],
      // Every target and subgraph runs as deployed (deploy/Dockerfile sets NODE_ENV=production):
      // graphql-js's development checks alone cost 3-5% of a subgraph's CPU. No gateway phones home.
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ...jwtKeys,
        APOLLO_TELEMETRY_DISABLED: 'true',
        LOG_LEVEL: readEnv('LOG_LEVEL', 'warn'),
        OTEL_SDK_DISABLED: 'true',
        // The router as deployed, less what the bench cannot satisfy: its queries are not in the apps' manifests
        // (safelist), all load comes from one address (rate limit), and two routers run side by side (metrics on
        // an ephemeral port each). The cost of every operation is still computed and reported.
        ROUTER_SAFELIST: 'off',
        ROUTER_RATE_LIMIT: 'off',
        ROUTER_METRICS_PORT: '0',
        ...options.env,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await awaitReady<Extract<FromChild, { type: 'ready' }>>(child, options.label ?? role);
    const started: Child = { role, label: options.label ?? role, process: child, url: ready.url, detail: ready.detail };
    this.all.push(started);
    return started;
  }

  /** The children still running. */
  live(): Child[] {
    return this.all.filter((child) => child.process.exitCode === null);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all].reverse().map((child) => stopChildProcess(child.process, { type: 'stop' } satisfies ToChild)));
  }
}

export async function cpuOf(child: Child): Promise<NodeJS.CpuUsage> {
  const reply = await askChild<Extract<FromChild, { type: 'cpu' }>>(child.process, { type: 'cpu' } satisfies ToChild, 'cpu');
  return reply.usage;
}
