/**
 * deploy/Dockerfile, read as Docker reads it (instructions, line
 * continuations, comments): a pinned base, a non-root user for what runs,
 * and node itself as the process that gets SIGTERM. No Docker engine is
 * needed; the build itself is not exercised here, but the image's CMD is run
 * as the container would run it (sh -c from the repository root, as /app).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@commerce/config';
import { describe, expect, it } from 'vitest';
import { PRE_STOP_SLEEP_SECONDS, TERMINATION_GRACE_SECONDS } from '../../packages/infra/src/deploy.ts';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (!full) continue;
    const keyword = full.split(/\s+/, 1)[0] ?? '';
    instructions.push({ keyword: keyword.toUpperCase(), args: full.slice(keyword.length).trim() });
  }
  return instructions;
}

/** An image reference pinned to a digest, or to an exact version tag (1.2.3, optionally -variant). */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+([-.][\w.-]+)?$/.test(tag);
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot(), 'deploy', 'Dockerfile'), 'utf8'));

describe('deploy/Dockerfile', () => {
  it('the pin check itself: moving tags are refused, exact versions and digests pass', () => {
    for (const moving of ['node', 'node:20', 'node:20-bookworm-slim', 'node:latest', 'node:lts-slim', 'node:20.20']) expect(isPinned(moving), moving).toBe(false);
    for (const pinned of ['node:20.20.2-bookworm-slim', 'node:20.20.2', `node@sha256:${'a'.repeat(64)}`, `node:20.20.2-bookworm-slim@sha256:${'b'.repeat(64)}`]) {
      expect(isPinned(pinned), pinned).toBe(true);
    }
  });

  it('every FROM is pinned to an exact version and to a digest, with the Node major the tests run on', () => {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0] ?? '');
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) {
      expect(isPinned(image), `FROM ${image} is not pinned`).toBe(true);
      // A tag can be pushed again; the digest is the content.
      expect(image, `FROM ${image} has no digest`).toMatch(/^[^@]+:[^@]+@sha256:[0-9a-f]{64}$/);
    }
    expect(froms.at(-1)).toMatch(new RegExp(`^node:${process.versions.node.split('.')[0]}\\.`));
  });

  it('what runs, runs as a non-root user', () => {
    const lastStage = dockerfile.slice(dockerfile.findLastIndex((i) => i.keyword === 'FROM'));
    const users = lastStage.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length, 'the final stage sets USER').toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
    // USER comes before what runs: no RUN or CMD after it may need root, and CMD is the last word.
    const userAt = lastStage.findLastIndex((i) => i.keyword === 'USER');
    const cmdAt = lastStage.findLastIndex((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    expect(cmdAt).toBeGreaterThan(userAt);
  });

  it('the service is exec-ed as node, so SIGTERM reaches it (no npx, npm or tsx CLI wrapper)', () => {
    const cmd = dockerfile.findLast((i) => i.keyword === 'CMD');
    const argv = JSON.parse(cmd?.args ?? '[]') as string[];
    const script = argv.at(-1) ?? '';
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    const execs = script.match(/exec \S+/g) ?? [];
    expect(execs.length).toBeGreaterThan(0);
    for (const e of execs) expect(e).toBe('exec node');
    expect(script).not.toMatch(/\bnpx\b|\bnpm\b/);
  });

  /** Runs the image's CMD for SERVICE, waits for it to serve, SIGTERMs the shell's pid and times the exit. */
  async function runCmd(service: string, env: Record<string, string>): Promise<{ port: number; ready: number; exitCode: number | null; signal: string | null; stopMs: number }> {
    const cmd = JSON.parse(dockerfile.findLast((i) => i.keyword === 'CMD')?.args ?? '[]') as string[];
    const script = (cmd[2] ?? '').replaceAll('/app/', `${repoRoot()}/`);
    const child = spawn(cmd[0] ?? 'sh', [cmd[1] ?? '-c', script], {
      cwd: repoRoot(),
      env: { ...process.env, ...env, SERVICE: service, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${service} did not start: ${output.slice(-2000)}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const m = /"url":"http:\/\/[^:]+:(\d+)\/graphql"/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${service} exited (${code}): ${output.slice(-2000)}`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const ready = (await fetch(`http://127.0.0.1:${port}/ready`)).status;
    const started = Date.now();
    const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })));
    // The shell exec-ed node: its pid is the service's, as PID 1 in the container.
    child.kill('SIGTERM');
    const { exitCode, signal } = await exited;
    return { port, ready, exitCode, signal, stopMs: Date.now() - started };
  }

  it.each([
    // The image builds the apps' operation manifests; a fresh clone may not have them, so the safelist only logs here.
    ['router', { APP_ENV: 'production', NODE_ENV: 'production', ROUTER_PORT: '0', ROUTER_SAFELIST: 'log' }],
    ['subgraphs/users', { APP_ENV: 'test', NODE_ENV: 'production', USERS_PORT: '0' }],
  ] as const)('the CMD serves %s, whose /ready answers 200, and SIGTERM drains it to exit 0 well inside the grace period', async (service, env) => {
    const run = await runCmd(service, env);
    expect(run.ready).toBe(200);
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(0);
    expect(run.stopMs).toBeLessThan((TERMINATION_GRACE_SECONDS - PRE_STOP_SLEEP_SECONDS) * 1000);
  });
});
