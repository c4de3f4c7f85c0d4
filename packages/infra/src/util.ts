import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '@commerce/config';

/** Everything this package writes lives under <repo>/.cache (git-ignored). */
export const cacheDir = (): string => join(repoRoot(), '.cache');

/** What ensure/start functions did: found the service running, or started it. */
export type ServiceOutcome = 'reused' | 'started';

/** Progress goes to stderr so stdout stays clean for callers that parse it. */
export function log(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Error code of a Node system error (ECONNREFUSED, ENOENT, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

/** True when a host name points at this machine, i.e. a service we may start ourselves. */
export const isLocalHost = (host: string): boolean => LOCAL_HOSTS.has(host.toLowerCase());

/** Splits "host:port" (IPv6 in brackets allowed). */
export function parseHostPort(address: string, defaultPort: number): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address.trim());
  if (!match?.[1]) throw new Error(`Invalid host:port "${address}"`);
  return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort };
}

/** Resolves true if something accepts TCP connections on host:port. Cheap readiness pre-check. */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A process counts as alive unless it is gone or a zombie: a zombie still
 * answers kill(pid, 0) until its parent reaps it, but it serves nothing.
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: exists but belongs to someone else, which still means alive.
    return errorCode(error) === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) state ...": comm may contain spaces, so split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** Command line of a process, used to make sure a pid from a pid file was not reused by something else. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing stdout+stderr. Rejects only if it cannot be spawned. */
export function run(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** Last lines of a text, for error messages that point at the cause without dumping a whole log. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Cross-process mutex built on mkdir (atomic on every filesystem). Several
 * test workers or developers' shells may call ensureInfrastructure at once;
 * only one of them may download jars or start the broker. A lock whose owner
 * died is taken over.
 */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  const ownerFile = join(lockDir, 'owner');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir, { recursive: false });
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        mkdirSync(join(lockDir, '..'), { recursive: true });
        continue;
      }
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(existsSync(ownerFile) ? readFileSync(ownerFile, 'utf8') : '', 10);
    // No owner file normally means the holder is between mkdir and writeFile;
    // only after a while does it mean the holder died right there.
    const orphaned = !Number.isFinite(owner) && Date.now() - lockAgeStart(lockDir) > 30_000;
    if (orphaned || (Number.isFinite(owner) && !isPidAlive(owner))) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for lock ${lockDir} (held by pid ${owner})`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockAgeStart(lockDir: string): number {
  try {
    return statSync(lockDir).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Polls `check` until it returns true; false if the timeout passes first. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
